//! The strategies of the core group's volume kinds: PersistentVolume and PersistentVolumeClaim.

use super::Strategy;
use crate::registry::tables;

pub(crate) static PERSISTENT_VOLUME: Strategy =
    Strategy { printer: &tables::more_kinds::PERSISTENT_VOLUME, ..Strategy::DEFAULT };
pub(crate) static PERSISTENT_VOLUME_CLAIM: Strategy =
    Strategy { printer: &tables::more_kinds::PERSISTENT_VOLUME_CLAIM, ..Strategy::DEFAULT };
