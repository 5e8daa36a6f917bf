// SweepSpecError: everything that can be wrong with a sweep file or a `--set` override.
import Foundation

/// A problem in a sweep file (or a `--set` override), at the key or value that causes it.
/// `message` says what was found and what is expected instead.
public struct SweepSpecError: Error, Sendable, CustomStringConvertible, Equatable, LocalizedError {
    public var location: SourceLocation
    public var message: String

    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message
    }

    /// `file:line:column: message`.
    public var description: String { "\(location): \(message)" }

    public var errorDescription: String? { description }
}
