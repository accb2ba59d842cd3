//! Run loop behaviour.
