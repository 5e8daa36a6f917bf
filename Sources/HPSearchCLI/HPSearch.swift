// HPSearch: the command-line tool's top command. Commands parse and print; the work lives in
// modules. A library target, so that `hpsearch` (Sources/hpsearch/main.swift) and a user's own
// binary built on HPSearchKit run the same commands.
import ArgumentParser
import Foundation

public struct HPSearch: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "hpsearch",
        abstract: "Distributed random hyperparameter search with early stopping, ensembles and distillation.",
        version: "0.1.0",
        subcommands: [Run.self, Resume.self, Status.self, Report.self, Export.self, Ensemble.self, Distill.self, Predict.self, ExportModel.self, Simulate.self, Train.self, Check.self, LRFind.self, Params.self, Bench.self, SelfTest.self]
    )

    public init() {}

    /// Parses the command line, with `--ensemble ID` (an optional value, which ArgumentParser's
    /// flags cannot take) read as `--ensemble-id ID`.
    public static func main() {
        let arguments = optionalValues(Array(CommandLine.arguments.dropFirst()))
        guard let marker = ProcessInfo.processInfo.environment["HPSEARCH_EXIT_MARKER"], !marker.isEmpty,
              ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_RANK"] == "0" else {
            main(arguments)
            return
        }
        // Rank 0 under scripts/launch.sh: `mpirun --enable-recovery` (launch.sh --keep-going)
        // exits 0 whatever a rank's status, so rank 0 also writes its own for launch.sh to return.
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            try? "0\n".write(toFile: marker, atomically: true, encoding: .utf8)
        } catch {
            try? "\(exitCode(for: error).rawValue)\n".write(toFile: marker, atomically: true, encoding: .utf8)
            exit(withError: error)
        }
    }

    /// `--ensemble 3` / `--ensemble=3` → `--ensemble-id 3` for the commands whose --ensemble is a flag.
    static func optionalValues(_ arguments: [String]) -> [String] {
        guard let command = arguments.first, ["predict", "export-model"].contains(command) else { return arguments }
        var out: [String] = [], i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "--ensemble", i + 1 < arguments.count, Int(arguments[i + 1]) != nil {
                out += ["--ensemble-id", arguments[i + 1]]
                i += 2
                continue
            }
            if a.hasPrefix("--ensemble="), Int(a.dropFirst("--ensemble=".count)) != nil {
                out.append("--ensemble-id=" + a.dropFirst("--ensemble=".count))
            } else {
                out.append(a)
            }
            i += 1
        }
        return out
    }
}
