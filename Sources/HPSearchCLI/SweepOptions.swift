// Options shared by the commands that train one configuration of a sweep file.
import ArgumentParser
import Foundation
import Search
import TensorCore
import Training

struct SweepOptions: ParsableArguments {
    @Argument(help: "The sweep file (YAML).")
    var sweep: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one parameter: name=value (repeatable).", valueName: "name=value"))
    var overrides: [String] = []

    @Option(help: "Training seed (default: the sweep file's seed).")
    var seed: UInt64?

    @Option(help: "BLAS threads (default: HPSEARCH_BLAS_THREADS, else every core).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// The sweep, the configuration to train (defaults, else medians, then `--set`), and its data.
    func load(log: (String) -> Void) throws -> (spec: SweepSpec, configuration: Configuration, config: TrainingConfig, data: PreparedData) {
        if let threads { BLAS.setThreads(threads) } else { try BLAS.configureThreads(fallback: BLAS.cores) }
        Allocator.keepFreedMemory()
        let spec = try SweepSpec.loadForTraining(path: sweep)
        let configuration = try spec.applying(overrides: overrides, to: spec.defaultConfiguration())
        let config = try spec.trainingConfig(configuration)
        let started = Date()
        let data = try PreparedData.load(spec.data, seed: spec.seed)
        try spec.checkLayerShapes(for: ModelBuilder.shape(of: data))
        let outputs = data.isRegression ? "regression on \(data.targetNames.joined(separator: ", "))" : "\(data.classCount) classes"
        log(String(format: "data: %@ — %d train, %d validation, %d test, %@ (%.1f s)", data.source,
                   data.train.count, data.validation.count, data.test.count, outputs, Date().timeIntervalSince(started)))
        log("config: \(configuration)")
        return (spec, configuration, config, data)
    }
}

/// Writes a line to standard error (progress and logs; standard output carries results).
func logLine(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

/// Prints `value` as one line of JSON with sorted keys.
func printJSON(_ value: [String: Any]) throws {
    let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}
