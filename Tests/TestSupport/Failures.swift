// Helpers for tests that run ranks on threads.
import Foundation

/// Errors collected from several threads.
public final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    public init() {}
    public func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    public var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

/// Hands a worker loop (which holds a communicator) to the thread that runs it.
public struct Unchecked<T>: @unchecked Sendable {
    public let value: T
    public init(value: T) { self.value = value }
}
