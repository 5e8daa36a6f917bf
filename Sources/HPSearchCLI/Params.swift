// `hpsearch params`: what a sweep file can search, from the registries the parser checks against:
// each model family's parameters, the trainer's common ones, and the early-stopping schedulers.
import ArgumentParser
import Search
import Training

struct Params: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the models, their parameters (type, range, default) and the schedulers a sweep file can use.",
        discussion: "Generated from the model-family and scheduler registries; the README's list is this command's --markdown output."
    )

    @Flag(help: "Print Markdown tables (what the README holds).")
    var markdown = false

    func run() throws {
        print(markdown ? Self.markdownText() : Self.plainText())
    }

    static func plainText() -> String {
        var lines: [String] = []
        for f in ModelFamilies.all {
            lines.append(f.parameters.isEmpty ? "model: {\(f.name): [...]} (a layer list; its parameters are the ${name}s it references)" : "model: \(f.name)")
            lines += f.parameters.map { "  " + $0.documentationLine }
        }
        lines.append("every model (the trainer):")
        lines += TrainerParameters.all.map { "  " + $0.documentationLine }
        lines.append("early_stopping.scheduler:")
        for s in Schedulers.all {
            lines.append("  \(s.name): \(s.summary)")
            lines += s.keys.map { "    \($0.name) (\($0.constraints)): \($0.summary)" }
        }
        return lines.joined(separator: "\n")
    }

    static func markdownText() -> String {
        func table(_ parameters: [TrainingParameter]) -> [String] {
            ["| parameter | values | default | what |", "|---|---|---|---|"]
                + parameters.map { "| `\($0.name)` | \($0.range) | `\($0.defaultValue)` | \($0.help.replacingOccurrences(of: "|", with: "/")) |" }
        }
        var lines: [String] = []
        for f in ModelFamilies.all {
            if f.parameters.isEmpty {
                lines += ["`model: {\(f.name): [...]}`: the sweep file's own layer list; its parameters are the `${name}`s it references.", ""]
            } else {
                lines += ["`model: \(f.name)`:", ""] + table(f.parameters) + [""]
            }
        }
        lines += ["Every model (the trainer's parameters):", ""] + table(TrainerParameters.all) + [""]
        lines += ["Schedulers (`early_stopping.scheduler: NAME` or `{type: NAME, key: value, …}`):", "", Schedulers.markdownTable()]
        return lines.joined(separator: "\n")
    }
}
