// YAMLField: a node of the sweep file with its dotted path and location, and typed reads that
// throw SweepSpecErrors naming both.
import Yams

struct YAMLField {
    let node: Node
    /// Dotted path from the top: `budget.trials`, `parameters.depth.values[1]`; empty at the top.
    let path: String
    let file: String
    /// Where the key that introduced this node is written; nil at the top and for list elements.
    let keyLocation: SourceLocation?

    /// Where the node itself starts (Yams marks are 1-based).
    var location: SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
    }

    /// `'budget.trials'`, or `the top level`.
    var name: String { path.isEmpty ? "the top level" : "'\(path)'" }

    /// `in 'budget'`, or `at the top level`.
    var place: String { path.isEmpty ? "at the top level" : "in '\(path)'" }

    /// An error at the node.
    func error(_ message: String) -> SweepSpecError { SweepSpecError(location: location, message: message) }

    /// An error at the key that introduced the node (at the node where there is none).
    func keyError(_ message: String) -> SweepSpecError {
        SweepSpecError(location: keyLocation ?? location, message: message)
    }

    /// The node's resolved YAML tag (`.int`, `.float`, `.str`, …).
    var tagName: Tag.Name { Self.tagName(node) }

    static func tagName(_ node: Node) -> Tag.Name { Tag.Name(rawValue: node.tag.description) }

    /// "expected X for 'path', got Y".
    func mismatch(_ expected: String) -> SweepSpecError { error("expected \(expected) for \(name), got \(found)") }

    /// What the node is, for "got …": `a list`, `the string 'ten'`, `nothing`.
    var found: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let s):
            switch tagName {
            case .null: return "nothing"
            case .int: return "the integer \(s.string)"
            case .float: return "the number \(s.string)"
            case .bool: return "the boolean \(s.string)"
            default: return "the string '\(s.string)'"
            }
        }
    }

    // MARK: Scalars

    /// Any non-null scalar as a `ParameterValue` (int → `.int`, float → `.double`, bool → `.bool`,
    /// anything else, quoted numbers included → `.string`). Numbers must be finite.
    func value() throws -> ParameterValue {
        guard case .scalar(let s) = node else { throw mismatch("a single value") }
        switch tagName {
        case .null: throw mismatch("a value")
        case .int:
            guard let i = node.int else { throw mismatch("an integer that fits in 64 bits") }
            return .int(i)
        case .float:
            guard let d = node.float, d.isFinite else { throw mismatch("a finite number") }
            return .double(d)
        case .bool:
            return .bool(node.bool ?? false)
        default:
            return .string(s.string)
        }
    }

    /// A YAML integer (`3`, not `3.0` or `"3"`).
    func int() throws -> Int {
        guard tagName == .int, let i = node.int else { throw mismatch("an integer") }
        return i
    }

    /// A YAML integer ≥ `minimum`.
    func int(atLeast minimum: Int) throws -> Int {
        let i = try int()
        guard i >= minimum else { throw error("\(name) must be at least \(minimum), got \(i)") }
        return i
    }

    /// A finite YAML number, integer or float.
    func number() throws -> Double {
        guard tagName == .int || tagName == .float, let d = try value().doubleValue else {
            throw mismatch("a number")
        }
        return d
    }

    /// A YAML string (plain or quoted; `yes`, `3` and `null` are not strings).
    func string() throws -> String {
        guard case .scalar(let s) = node, tagName == .str else { throw mismatch("a string") }
        return s.string
    }

    /// Any non-null, non-empty scalar's text, for names and paths (`name: 2024` is fine).
    func text() throws -> String {
        guard case .scalar(let s) = node, tagName != .null, !s.string.isEmpty else {
            throw mismatch("a non-empty string")
        }
        return s.string
    }

    /// A YAML boolean (`true`/`false`, also `yes`/`no`/`on`/`off`).
    func bool() throws -> Bool {
        guard tagName == .bool, let b = node.bool else { throw mismatch("true or false") }
        return b
    }

    /// One of `choices`, with a "did you mean" when the string is close to one.
    func choice(_ choices: [String], what: String, aliases: [String: String] = [:]) throws -> String {
        let s = try string()
        guard choices.contains(s) else {
            throw error("unknown \(what) '\(s)'"
                        + NameSuggestion.hint(s, among: choices, aliases: aliases, then: "expected " + Self.list(choices, "or")))
        }
        return s
    }

    // MARK: Collections

    /// The elements of a YAML list.
    func list() throws -> [YAMLField] {
        guard case .sequence(let seq) = node else { throw mismatch("a list") }
        return seq.enumerated().map {
            YAMLField(node: $0.element, path: "\(path)[\($0.offset)]", file: file, keyLocation: nil)
        }
    }

    /// The entries of a YAML mapping. With `allowed`, any other key is an error at that key (with
    /// the nearest allowed key when one is close); with nil, the caller checks the keys.
    func mapping(allowed: [String]?, aliases: [String: String] = [:]) throws -> YAMLMapping {
        guard case .mapping(let mapping) = node else { throw mismatch("a mapping") }
        var entries: [(key: String, value: YAMLField)] = []
        for (keyNode, valueNode) in mapping {
            let key = YAMLField(node: keyNode, path: path, file: file, keyLocation: nil)
            guard case .scalar(let s) = keyNode, YAMLField.tagName(keyNode) != .null, !s.string.isEmpty else {
                throw key.error("expected a name as key in \(name), got \(key.found)")
            }
            if let allowed, !allowed.contains(s.string) {
                let hint = NameSuggestion.nearest(to: s.string, among: allowed, aliases: aliases)
                    .map { "did you mean '\($0)'?" } ?? "expected " + Self.list(allowed, "or")
                throw key.error("unknown key '\(s.string)' \(place); \(hint)")
            }
            entries.append((s.string, YAMLField(node: valueNode, path: path.isEmpty ? s.string : "\(path).\(s.string)",
                                                file: file, keyLocation: key.location)))
        }
        return YAMLMapping(field: self, entries: entries)
    }

    /// `a, b or c` with conjunction "or"; `a, b, c` without one.
    static func list(_ items: [String], _ conjunction: String? = nil) -> String {
        guard let conjunction, items.count > 1 else { return items.joined(separator: ", ") }
        return items.dropLast().joined(separator: ", ") + " \(conjunction) " + items[items.count - 1]
    }
}

/// A YAML mapping's entries in file order, each a `YAMLField`.
struct YAMLMapping {
    let field: YAMLField
    let entries: [(key: String, value: YAMLField)]

    subscript(key: String) -> YAMLField? { entries.first { $0.key == key }?.value }

    /// The value under `key`, or an error at the mapping's own key saying what to add.
    func required(_ key: String, _ what: String) throws -> YAMLField {
        guard let value = self[key] else {
            throw field.keyError("missing required key '\(key)' \(field.place): \(what)")
        }
        return value
    }
}
