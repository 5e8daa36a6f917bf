// `hpsearch bench health`: what the per-epoch training-health probe costs — the same trial
// (configuration, seed, data) trained with and without it, in interleaved rounds, at 1 and 2
// BLAS threads; medians and their ratio.
import ArgumentParser
import Foundation
import Search
import TensorCore
import Training

struct HealthBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "The training-health probe's cost: one trial with and without it (target ≤ 2% of training time).",
        discussion: """
        Trains the sweep's default configuration (or --set overrides) for --epochs epochs, alternating runs with the \
        probe on and off, --rounds times at each thread count, and prints the median seconds of each and the overhead \
        (on / off − 1). Interleaving keeps a shared machine's drift out of the ratio. Both runs train bit-identical weights.
        """
    )

    @Argument(help: "The sweep file (its data and default configuration).")
    var sweep = "sweeps/quickstart.yaml"

    @Option(help: "Epochs per run.")
    var epochs = 1

    @Option(help: "Interleaved rounds (each: one run with the probe, one without) per thread count.")
    var rounds = 3

    @Option(help: "BLAS thread counts, comma-separated.")
    var threads = "1,2"

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a parameter (repeatable).", valueName: "NAME=VALUE"))
    var overrides: [String] = []

    @Flag(help: "Print one JSON object: {epochs, rounds, results: [{threads, seconds_without, seconds_with, overhead, epoch_seconds, probe_seconds, probe_share}]}.")
    var json = false

    func validate() throws {
        guard epochs >= 1, rounds >= 1 else { throw ValidationError("--epochs and --rounds must be at least 1") }
        guard !threadCounts.isEmpty, threadCounts.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--threads takes positive counts, e.g. 1,2") }
    }

    var threadCounts: [Int] { threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    struct Result: Encodable {
        var threads: Int
        var seconds_without: Double
        var seconds_with: Double
        var overhead: Double
        var epoch_seconds: Double
        /// One measurement (the fixed batch's forward and backward, statistics, probe predictions,
        /// and the last step's parameter snapshot and ratios), timed on its own, median of 20.
        var probe_seconds: Double
        /// probe_seconds per epoch over the epoch's training time: the cost a long trial pays.
        var probe_share: Double
    }

    func run() throws {
        Allocator.keepFreedMemory()
        let spec = try SweepSpec.loadForTraining(path: sweep)
        let config = try spec.trainingConfig(try spec.applying(overrides: overrides, to: spec.defaultConfiguration()))
        let data = try PreparedData.load(spec.data, seed: spec.seed)
        func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
        log("data: \(data.source), \(data.train.count) training examples; config: \(config.model.rawValue), batch \(config.batchSize)")
        var results: [Result] = []
        for t in threadCounts {
            BLAS.setThreads(t)
            var with: [Double] = [], without: [Double] = []
            for round in 1...rounds {
                // Alternate which goes first, so neither always runs on a warmer machine.
                for probe in round % 2 == 1 ? [false, true] : [true, false] {
                    let trainer = try Trainer(config: config, data: data, seed: spec.seed, maxEpochs: epochs)
                    var records = 0
                    if probe { trainer.onHealth = { _ in records += 1 } }
                    let start = Date()
                    _ = trainer.train()
                    let seconds = Date().timeIntervalSince(start)
                    (probe ? { with.append(seconds) } : { without.append(seconds) })()
                    log(String(format: "threads %d round %d: %@ %.3f s%@", t, round, probe ? "with probe   " : "without probe", seconds,
                               probe ? " (\(records) health records)" : ""))
                }
            }
            let a = median(without), b = median(with)
            // The probe alone, on a trained-for-nothing model of the same architecture.
            let trainer = try Trainer(config: config, data: data, seed: spec.seed, maxEpochs: 1)
            let probe = HealthProbe(data: data, loss: config.loss)
            var probeTimes: [Double] = []
            for _ in 0..<20 {
                let start = Date()
                let before = HealthProbe.snapshot(trainer.model)
                let ratios = HealthProbe.updateRatios(trainer.model, since: before)
                _ = probe.measure(trainer.model, trial: 0, epoch: 1, updateRatios: ratios)
                probeTimes.append(Date().timeIntervalSince(start))
            }
            let p = median(probeTimes), epochSeconds = a / Double(epochs)
            results.append(Result(threads: t, seconds_without: a, seconds_with: b, overhead: b / a - 1, epoch_seconds: epochSeconds,
                                  probe_seconds: p, probe_share: p / epochSeconds))
        }
        if json {
            struct Report: Encodable { var epochs: Int; var rounds: Int; var results: [Result] }
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            print(String(decoding: try enc.encode(Report(epochs: epochs, rounds: rounds, results: results)), as: UTF8.self))
            return
        }
        print("hpsearch bench health — \(sweep), \(epochs) epoch(s), median of \(rounds) interleaved rounds")
        print("threads  without (s)  with (s)  overhead  probe (ms)  probe / epoch")
        for r in results {
            print(String(format: "%7d  %11.4g  %8.4g  %+7.2f%%  %10.4g  %12.2f%%", r.threads, r.seconds_without, r.seconds_with, 100 * r.overhead,
                         1000 * r.probe_seconds, 100 * r.probe_share))
        }
        print("overhead: end to end, with epoch 0's extra measurement (\(epochs + 1) probes over \(epochs) epoch(s)); probe / epoch: one measurement per epoch, as a long trial pays. Target ≤ 2%.")
    }

    func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
