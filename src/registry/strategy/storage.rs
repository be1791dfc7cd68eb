//! The strategies of storage.k8s.io: StorageClass, CSIDriver, CSINode, CSIStorageCapacity, VolumeAttachment.

use super::Strategy;
use crate::registry::tables;

pub(crate) static STORAGE_CLASS: Strategy =
    Strategy { printer: &tables::more_kinds::STORAGE_CLASS, ..Strategy::DEFAULT };
pub(crate) static CSI_DRIVER: Strategy = Strategy::DEFAULT;
pub(crate) static CSI_NODE: Strategy = Strategy::DEFAULT;
pub(crate) static CSI_STORAGE_CAPACITY: Strategy = Strategy::DEFAULT;
pub(crate) static VOLUME_ATTACHMENT: Strategy = Strategy::DEFAULT;
