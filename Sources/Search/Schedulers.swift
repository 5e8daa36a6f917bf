// Schedulers: the registry of cross-trial scheduler families a sweep file can name.

/// Every scheduler family, in the order errors, help and docs list them. Adding a scheduler: a
/// file with its `SchedulerFamily` and one line here.
public enum Schedulers {
    public static let all: [any SchedulerFamily] = [
        NoScheduler(),
        MedianScheduler(),
        ASHAScheduler(),
        HyperbandScheduler(),
    ]

    /// The families' `type` names: `none`, `median`, `asha`, `hyperband`.
    public static var names: [String] { all.map(\.name) }

    /// The family named `name` in sweep files.
    public static func named(_ name: String) -> (any SchedulerFamily)? {
        all.first { $0.name == name }
    }

    /// The names for sentences: `none, median, asha or hyperband` (conjunction "or").
    public static func names(_ conjunction: String) -> String { YAMLField.list(names, conjunction) }

    /// Every family's key names, each once, in registry order: all the mapping form may hold
    /// besides `type`.
    public static var keyNames: [String] {
        var seen: [String] = []
        for family in all { for key in family.keys where !seen.contains(key.name) { seen.append(key.name) } }
        return seen
    }

    /// For docs: each family's name, summary and keys.
    public static var documentation: [(name: String, summary: String, keys: [SchedulerKey])] {
        all.map { ($0.name, $0.summary, $0.keys) }
    }

    /// A Markdown table of the families and their keys, for the README and help.
    public static func markdownTable() -> String {
        var lines = ["| `type` | what it does | keys |", "|---|---|---|"]
        for family in all {
            let keys = family.keys.map { "`\($0.name)` (\($0.constraints)): \($0.summary)" }
            lines.append("| `\(family.name)` | \(family.summary) | \(keys.isEmpty ? "—" : keys.joined(separator: "; ")) |")
        }
        return lines.joined(separator: "\n")
    }
}
