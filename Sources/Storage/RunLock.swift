// RunLock: one process at a time in a run directory.
import Foundation

/// An exclusive advisory lock on the run directory (flock), released when the process exits,
/// however it exits: a crashed run never leaves a stale lock behind.
public final class RunLock {
    private let fd: Int32

    public init(_ run: RunDirectory) throws {
        fd = open(run.lockPath, O_CREAT | O_RDWR, 0o644)
        guard fd >= 0 else { throw RunDirectoryError("cannot create \(run.lockPath): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw RunDirectoryError("\(run.url.path) is in use by another hpsearch process; wait for it to finish (or stop it), then resume")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { write(fd, $0, strlen($0)) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
