// CoordinatorError: a sweep that cannot go on, with what to do next.

public struct CoordinatorError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
