//! The network poller (epoll). Not implemented yet: the poll entry points
//! are declared and fail loudly; files the poller would own do not exist.

/// Is fd one of the poller's own descriptors? The poller has none yet.
pub fn isPollServerDescriptor(_fd: usize) -> bool {
    false
}
