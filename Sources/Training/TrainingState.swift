// TrainingState: everything `Trainer.train` needs to continue a run after a completed epoch, so
// that a trial killed after epoch k and resumed from the state saved at epoch k produces exactly
// (bit for bit) the epochs k+1… of an uninterrupted run.
//
// Encoding: a `Checkpoint` file (same binary layout, version and FNV-1a checksum), so tensors are
// straight Float32 copies. Entries:
//   model/<name>        the current parameters and buffers (as `Checkpoint(layer:)` names them)
//                       and every dropout stream as model/rng:<name> (`Layer.randomStateEntries`)
//   best/<name>         the best epoch's parameters and buffers, only when the best epoch is
//                       not the last one (otherwise they are the model/ tensors)
//   optimizer/<name>    `Optimizer.stateEntries(for:)`: moments or velocities, and the optimizer's
//                       step count as an exact integer entry (16-bit limbs)
// Metadata (strings): format, format_version; epoch, step, since_improvement (decimal);
// initial_loss, seconds (Double bit patterns, hex) and learning_rate (Float bit pattern, hex), so
// they survive exactly even when not finite; history and best (JSON of the epoch records without their trial index:
// `StoredEpoch`, the fields and spelling of format 1); best_snapshot
// (none | current | stored); and the run's identity, checked on resume: seed, architecture
// (parameter, buffer and stream names with shapes), configuration (every TrainingConfig field) and
// settings (budget, patience, metric, batches and data sizes), one item per line.
import Foundation
import NN
import Search

public struct TrainingState: Equatable {
    public static let format = "hpsearch-training-state"
    public static let formatVersion = 1

    /// Epochs completed (1-based number of the last one).
    public var epoch: Int
    /// Optimizer steps taken over the whole run (the schedule's position).
    public var step: Int
    /// The first batch's training loss (the divergence reference).
    public var initialLoss: Double
    /// The optimizer's learning rate after the last step.
    public var learningRate: Float
    /// Epochs 1…`epoch`.
    public var history: [EpochRecord]
    public var best: EpochRecord?
    /// Epochs since the last improvement by more than minDelta (the patience counter).
    public var sinceImprovement: Int
    /// Training time so far, over every session of the run.
    public var seconds: Double
    public var seed: UInt64
    /// Identity of the run, one item per line (see the file comment).
    public var architecture: [String]
    public var configuration: [String]
    public var settings: [String]
    /// Current parameters, buffers ("buffer:…") and random streams ("rng:…").
    public var model: [Checkpoint.Entry]
    /// The best epoch's parameters and buffers; nil when there is no best or it is the last epoch
    /// (then they are `model`'s).
    public var bestSnapshot: [Checkpoint.Entry]?
    public var optimizer: [Checkpoint.Entry]

    public init(epoch: Int, step: Int, initialLoss: Double, learningRate: Float, history: [EpochRecord], best: EpochRecord?,
                sinceImprovement: Int, seconds: Double, seed: UInt64, architecture: [String], configuration: [String],
                settings: [String], model: [Checkpoint.Entry], bestSnapshot: [Checkpoint.Entry]?, optimizer: [Checkpoint.Entry]) {
        self.epoch = epoch
        self.step = step
        self.initialLoss = initialLoss
        self.learningRate = learningRate
        self.history = history
        self.best = best
        self.sinceImprovement = sinceImprovement
        self.seconds = seconds
        self.seed = seed
        self.architecture = architecture
        self.configuration = configuration
        self.settings = settings
        self.model = model
        self.bestSnapshot = bestSnapshot
        self.optimizer = optimizer
    }

    /// The parameters and buffers the best epoch ended with (nil when no epoch has a best).
    public var bestWeights: Checkpoint? {
        guard best != nil else { return nil }
        return Checkpoint(entries: bestSnapshot ?? model.filter { !$0.name.hasPrefix("rng:") })
    }

    // MARK: Encoding

    public func encoded() -> [UInt8] {
        let json = JSONEncoder()
        json.outputFormatting = [.sortedKeys]
        var metadata: [String: String] = [
            "format": Self.format,
            "format_version": String(Self.formatVersion),
            "epoch": String(epoch),
            "step": String(step),
            "since_improvement": String(sinceImprovement),
            "initial_loss": String(initialLoss.bitPattern, radix: 16),
            "seconds": String(seconds.bitPattern, radix: 16),
            "learning_rate": String(learningRate.bitPattern, radix: 16),
            // Epoch records hold finite values only (the trainer stops before recording others).
            "history": String(decoding: (try? json.encode(history.map(StoredEpoch.init))) ?? Data("[]".utf8), as: UTF8.self),
            "best_snapshot": best == nil ? "none" : bestSnapshot == nil ? "current" : "stored",
            "seed": String(seed),
            "architecture": architecture.joined(separator: "\n"),
            "configuration": configuration.joined(separator: "\n"),
            "settings": settings.joined(separator: "\n"),
        ]
        if let best, let b = try? json.encode(StoredEpoch(best)) { metadata["best"] = String(decoding: b, as: UTF8.self) }
        func prefixed(_ p: String, _ es: [Checkpoint.Entry]) -> [Checkpoint.Entry] {
            es.map { var e = $0; e.name = p + e.name; return e }
        }
        let entries = prefixed("model/", model) + prefixed("best/", bestSnapshot ?? []) + prefixed("optimizer/", optimizer)
        return Checkpoint(entries: entries, metadata: metadata).encoded()
    }

    /// Decodes and checks a state from `encoded()`. Errors are `CheckpointError`s naming the
    /// file (`source`) and what is wrong: the checkpoint layer's (truncation, checksum), or a
    /// missing or invalid metadata key, or an entry outside the three groups.
    public static func decode(_ bytes: [UInt8], source: String = "training state") throws -> TrainingState {
        let c = try Checkpoint.decode(bytes, source: source)
        let m = c.metadata
        func value(_ key: String) throws -> String {
            guard let v = m[key] else { throw CheckpointError.missingMetadata(path: source, key: key) }
            return v
        }
        func invalid(_ key: String, _ reason: String) -> CheckpointError {
            CheckpointError.invalidMetadata(path: source, key: key, reason: reason)
        }
        func count(_ key: String) throws -> Int {
            let v = try value(key)
            guard let n = Int(v), n >= 0 else { throw invalid(key, "'\(v)' is not a count") }
            return n
        }
        func bits(_ key: String) throws -> UInt64 {
            let v = try value(key)
            guard let b = UInt64(v, radix: 16) else { throw invalid(key, "'\(v)' is not a hexadecimal bit pattern") }
            return b
        }
        func floatBits(_ key: String) throws -> UInt32 {
            let b = try bits(key)
            guard let f = UInt32(exactly: b) else { throw invalid(key, "'\(String(b, radix: 16))' is not a Float32 bit pattern") }
            return f
        }
        func lines(_ key: String) throws -> [String] {
            let v = try value(key)
            return v.isEmpty ? [] : v.components(separatedBy: "\n")
        }
        let format = try value("format")
        guard format == Self.format else { throw invalid("format", "'\(format)' is not '\(Self.format)'") }
        let version = try count("format_version")
        guard version <= Self.formatVersion else {
            throw invalid("format_version", "version \(version) is newer than this hpsearch supports (\(Self.formatVersion)); upgrade hpsearch")
        }
        let epoch = try count("epoch")
        let json = JSONDecoder()
        let history: [EpochRecord]
        do { history = try json.decode([StoredEpoch].self, from: Data(try value("history").utf8)).map(\.record) } catch let e as CheckpointError {
            throw e
        } catch { throw invalid("history", "not a JSON list of epoch metrics: \(error)") }
        guard history.map(\.epoch) == Array(stride(from: 1, through: epoch, by: 1)) else {
            throw invalid("history", "holds epochs \(history.map(\.epoch)) for a state after epoch \(epoch)")
        }
        var best: EpochRecord?
        if let b = m["best"] {
            do { best = try json.decode(StoredEpoch.self, from: Data(b.utf8)).record } catch { throw invalid("best", "not JSON epoch metrics: \(error)") }
            guard best.map({ history.contains($0) }) == true else { throw invalid("best", "epoch \(best!.epoch) is not in the history") }
        }
        let snapshot = try value("best_snapshot")
        switch (snapshot, best) {
        case ("none", nil), ("current", .some), ("stored", .some): break
        default: throw invalid("best_snapshot", "'\(snapshot)' does not match \(best == nil ? "no best epoch" : "a best epoch")")
        }
        let seedText = try value("seed")
        guard let seed = UInt64(seedText) else { throw invalid("seed", "'\(seedText)' is not a seed") }

        var model: [Checkpoint.Entry] = [], stored: [Checkpoint.Entry] = [], optimizer: [Checkpoint.Entry] = []
        for var e in c.entries {
            let name = e.name
            if let r = name.range(of: "/"), ["model", "best", "optimizer"].contains(name[..<r.lowerBound]) {
                e.name = String(name[r.upperBound...])
                switch name[..<r.lowerBound] {
                case "model": model.append(e)
                case "best": stored.append(e)
                default: optimizer.append(e)
                }
            } else {
                throw CheckpointError.unexpectedEntry(path: source, name: name)
            }
        }
        if snapshot != "stored", let e = stored.first { throw CheckpointError.unexpectedEntry(path: source, name: "best/" + e.name) }
        return TrainingState(epoch: epoch, step: try count("step"), initialLoss: Double(bitPattern: try bits("initial_loss")),
                             learningRate: Float(bitPattern: try floatBits("learning_rate")),
                             history: history, best: best, sinceImprovement: try count("since_improvement"),
                             seconds: Double(bitPattern: try bits("seconds")), seed: seed,
                             architecture: try lines("architecture"), configuration: try lines("configuration"),
                             settings: try lines("settings"), model: model, bestSnapshot: snapshot == "stored" ? stored : nil,
                             optimizer: optimizer)
    }
}

/// One epoch as a training state stores it: the fields of format 1's epoch metrics (no trial
/// index; the throughput kept), so states keep their bytes and old ones decode.
struct StoredEpoch: Codable {
    var epoch: Int
    var trainLoss: Double
    var trainAccuracy: Double
    var validationLoss: Double
    var validationAccuracy: Double
    var learningRate: Double
    var seconds: Double
    var examplesPerSecond: Double

    init(_ r: EpochRecord) {
        (epoch, trainLoss, trainAccuracy, validationLoss) = (r.epoch, r.trainLoss, r.trainAccuracy, r.validationLoss)
        (validationAccuracy, learningRate, seconds, examplesPerSecond) = (r.validationAccuracy, r.learningRate, r.seconds, r.examplesPerSecond)
    }

    /// As trial 0's record (the trainer sets its own trial index).
    var record: EpochRecord {
        EpochRecord(trial: 0, epoch: epoch, trainLoss: trainLoss, trainAccuracy: trainAccuracy, validationLoss: validationLoss,
                    validationAccuracy: validationAccuracy, learningRate: learningRate, seconds: seconds, examplesPerSecond: examplesPerSecond)
    }
}
