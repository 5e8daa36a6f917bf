// SweepSpecError from Yams' errors: YAML syntax errors and duplicate keys, at their line and column.
import Yams

extension SweepSpecError {
    /// Translates an error from `Yams.compose` on `text` (the contents of `file`).
    init(yaml error: any Error, file: String, text: String) {
        func at(_ line: Int, _ column: Int, _ message: String) -> SweepSpecError {
            SweepSpecError(location: SourceLocation(file: file, line: line, column: column), message: message)
        }
        func syntax(_ context: YamlError.Context?, _ problem: String, _ mark: Mark) -> SweepSpecError {
            let while_ = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            let line = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
                .dropFirst(mark.line - 1).first.map { Array($0.unicodeScalars) } ?? []
            let tab = mark.column >= 1 && mark.column <= line.count && line[mark.column - 1] == "\t"
            return at(mark.line, mark.column, "invalid YAML: \(problem)\(while_); "
                      + (tab ? "YAML indents with spaces, not tabs" : "check the indentation, the colons and the quoting here"))
        }
        guard let error = error as? YamlError else {
            self = at(0, 0, "cannot read the sweep file as YAML: \(error)")
            return
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            self = syntax(context, problem, mark)
        case .reader(let problem, let offset, _, _):
            let (line, column) = offset.map { Self.lineAndColumn(ofCharacter: $0, in: text) } ?? (0, 0)
            self = at(line, column, "invalid YAML: \(problem); the sweep file must be UTF-8 text")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? "?"
            let first = context.mark
            if let again = Self.repeatedKey(key, after: first, in: text) {
                self = at(again.line, again.column, "duplicate key '\(key)': it is already set at line \(first.line), "
                          + "column \(first.column); a key may appear only once in a mapping, so remove one")
            } else {
                self = at(first.line, first.column, "duplicate key '\(key)': it is set more than once in this "
                          + "mapping; a key may appear only once, so remove all but one")
            }
        default:
            self = at(0, 0, "cannot read the sweep file as YAML: \(error)")
        }
    }

    /// 1-based line and column (in Unicode scalars, as libyaml counts) of the character at `offset`.
    private static func lineAndColumn(ofCharacter offset: Int, in text: String) -> (Int, Int) {
        let prefix = text.prefix(offset)
        let line = prefix.reduce(1) { $1.isNewline ? $0 + 1 : $0 }
        let lastLine = prefix.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).last ?? ""
        return (line, lastLine.unicodeScalars.count + 1)
    }

    /// Where `key` is written a second time in the mapping whose first occurrence of it is at
    /// `first`. Yams reports only the first; this finds the next key at the same column in a block
    /// mapping, or the next `key:` after it in a flow mapping. Nil when unsure.
    private static func repeatedKey(_ key: String, after first: Mark, in text: String) -> (line: Int, column: Int)? {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { Array($0.unicodeScalars) }
        guard first.line >= 1, first.line <= lines.count else { return nil }
        let spellings = [key, "\"\(key)\"", "'\(key)'"].map { Array($0.unicodeScalars) }
        // The key (in any quoting) at `column` (0-based) of `line`, followed by optional blanks and ':'.
        func keyAt(_ line: [Unicode.Scalar], _ column: Int) -> Bool {
            spellings.contains { s in
                guard column + s.count <= line.count, Array(line[column..<column + s.count]) == s else { return false }
                let rest = line[(column + s.count)...].drop { $0 == " " || $0 == "\t" }
                return rest.first == ":"
            }
        }
        let firstLine = lines[first.line - 1], column = first.column - 1
        let isBlock = firstLine.prefix(column).allSatisfy { $0 == " " || $0 == "-" }
        if isBlock {
            for n in first.line..<lines.count {
                let line = lines[n]
                guard let indent = line.firstIndex(where: { $0 != " " && $0 != "-" }) else { continue }
                if line[indent] == "#" { continue }
                if indent < column { return nil }  // the mapping ended
                if indent == column, keyAt(line, column) { return (n + 1, column + 1) }
            }
            return nil
        }
        // Flow mapping: the next `key:` preceded by '{', ',' or blanks.
        var start = column + 1
        for n in (first.line - 1)..<lines.count {
            let line = lines[n]
            for c in stride(from: start, to: line.count, by: 1) where keyAt(line, c) {
                let before = line[..<c].last { $0 != " " && $0 != "\t" }
                if before == nil || before == "{" || before == "," { return (n + 1, c + 1) }
            }
            start = 0
        }
        return nil
    }
}
