//! Describers.
