// RunDirectoryError: a run directory that cannot be written or locked.

/// A run directory that cannot be read, written or locked: what went wrong and what to do.
public struct RunDirectoryError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
