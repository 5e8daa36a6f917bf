// `hpsearch check`: the training recipe's sanity checks, as a pass/fail table.
import ArgumentParser
import Foundation
import Training

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the recipe's checks on a sweep's data and default model before spending a cluster on it.",
        discussion: """
        1 data look (classes, ranges, NaNs, duplicates)   2 loss at init   3 input-independent baseline
        4 overfit one batch   5 gradient check   6 batch independence   7 loss decreases
        8 baselines to beat (majority class or training mean, a linear model, the sweep's human_baseline)
        9 gradient flow at init (each layer's gradient norm, dead ReLUs, saturated tanh/sigmoid).
        Exit status 1 when any check fails.
        """
    )

    @OptionGroup var sweep: SweepOptions

    @Flag(help: "Print one JSON object: {passed, checks: [{id, name, status, summary, values, hint}]}.")
    var json = false

    @Option(help: ArgumentHelp("Also write that JSON object: to RUN_DIR/check.json when given a directory (an existing one, or a path ending in /), with pictures of what the network sees in RUN_DIR/check/ (inputs.png: the first training batch as the model receives it, inputs.json, and for tables distributions.svg; `hpsearch report RUN_DIR` shows them all), else to this file.", valueName: "RUN_DIR|FILE"))
    var save: String?

    /// Where `--save` writes: `PATH/check.json` for a directory (an existing one, or a path ending
    /// in "/", created), else `PATH` itself, whose folder must exist.
    static func saveTarget(_ path: String) throws -> URL {
        let url = URL(fileURLWithPath: path)
        if isRunDirectory(path) {
            do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
                throw ValidationError("--save \(path): cannot create that directory (\(error.localizedDescription)); give a writable directory or a file path")
            }
            return url.appendingPathComponent("check.json")
        }
        var parentIsDirectory: ObjCBool = false
        let parent = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &parentIsDirectory), parentIsDirectory.boolValue else {
            throw ValidationError("--save \(path): the folder \(parent) does not exist; create it, or give a run directory ending in / (hpsearch creates it and writes check.json there)")
        }
        return url
    }

    /// Whether `--save path` names a run directory (an existing directory, or a path ending in
    /// "/"): then the check also draws its pictures into `path/check/`.
    static func isRunDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue || path.hasSuffix("/")
    }

    func run() throws {
        // Refuse an unwritable --save before the checks spend a minute.
        let runDirectory = save.map(Self.isRunDirectory) ?? false
        let target = try save.map(Self.saveTarget)
        let (spec, _, config, data) = try sweep.load(log: logLine)
        let seed = sweep.seed ?? spec.seed
        var check = RecipeCheck(data: data, config: config, seed: seed)
        check.humanBaseline = spec.humanBaseline
        let started = Date()
        let results = check.runAll { name in if !json { logLine("checking: \(name)…") } }
        let passed = !results.contains { $0.status == .fail }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        struct Report: Encodable { var passed: Bool; var seconds: Double; var checks: [CheckResult] }
        let report = try encoder.encode(Report(passed: passed, seconds: Date().timeIntervalSince(started), checks: results))
        if let target {
            do { try report.write(to: target, options: .atomic) } catch {
                throw ValidationError("--save: cannot write \(target.path) (\(error.localizedDescription)); check the folder's permissions and free space")
            }
            if !json { logLine("saved \(target.path)") }
            if runDirectory {
                let pictures = try CheckPictures.write(data: data, config: config, seed: seed,
                                                       to: target.deletingLastPathComponent().appendingPathComponent("check"))
                if !json { logLine("saved " + pictures.map(\.path).joined(separator: ", ")) }
            }
        }
        if json {
            print(String(decoding: report, as: UTF8.self))
        } else {
            let width = results.map(\.name.count).max() ?? 10
            print("")
            for r in results {
                print("\(r.id)  \(r.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(r.status.rawValue.uppercased().padding(toLength: 4, withPad: " ", startingAt: 0))  \(r.summary)")
                if let hint = r.hint { print(String(repeating: " ", count: width + 11) + "→ " + hint) }
            }
            let failed = results.filter { $0.status == .fail }.count, warned = results.filter { $0.status == .warn }.count
            print(String(format: "\n%@: %d passed, %d warnings, %d failed (%.1f s)", passed ? "OK" : "FAILED",
                         results.count - failed - warned, warned, failed, Date().timeIntervalSince(started)))
        }
        if !passed { throw ExitCode(1) }
    }
}
