// SourceLocation: where in the sweep file something was written.

/// A position in a sweep file. `line` and `column` are 1-based; 0 and 0 mean the whole file
/// (a missing or unreadable file) or a command-line override.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the form editors and terminals turn into links.
    public var description: String { "\(file):\(line):\(column)" }
}
