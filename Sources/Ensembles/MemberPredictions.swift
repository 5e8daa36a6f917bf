// MemberPredictions: a finished trial's class probabilities on a split. Read from the file the
// sweep stored when it is there and intact; otherwise the trial's checkpoint is reloaded into
// the model its configuration builds, run over the split, and the result stored (and recorded)
// for next time: a sweep whose prediction files were deleted, and the training-split predictions
// that distillation needs, both come from here.
import Datasets
import Foundation
import NN
import Search
import Storage
import TensorCore
import Training

public enum PredictionSplit: String, Sendable, CaseIterable {
    case train, validation, test

    /// The artifact kind and file name under the trial's folder.
    var kind: String { rawValue + "_predictions" }
    var file: String { rawValue + ".f32" }

    func dataset(_ data: PreparedData) -> Dataset {
        switch self {
        case .train: return data.train
        case .validation: return data.validation
        case .test: return data.test
        }
    }
}

public struct MemberPredictions {
    public let spec: SweepSpec
    public let store: any Store
    public let run: RunDirectory
    public let data: PreparedData
    /// Called once per trial whose predictions are recomputed (progress).
    public var onRecompute: ((Int, PredictionSplit) -> Void)?

    public init(spec: SweepSpec, store: any Store, run: RunDirectory, data: PreparedData) {
        self.spec = spec
        self.store = store
        self.run = run
        self.data = data
    }

    /// Whether trial `t` can give predictions on every one of `splits` (stored files or a checkpoint).
    public func available(_ t: TrialRecord, _ splits: PredictionSplit...) throws -> Bool {
        let kinds = Set(try store.artifacts(trial: t.index).map(\.kind))
        return kinds.contains("checkpoint") || splits.allSatisfy { kinds.contains($0.kind) }
    }

    /// Trial `t`'s probabilities on `split`, [count × classes]; for regression its predictions in
    /// the targets' units, [count × targets].
    public func probabilities(_ t: TrialRecord, _ split: PredictionSplit) throws -> [Float] {
        let rows = split.dataset(data).count, size = rows * data.outputCount
        let artifacts = try store.artifacts(trial: t.index)
        if let a = artifacts.first(where: { $0.kind == split.kind }), let bytes = try? run.read(a.path),
           RunDirectory.checksum(bytes) == a.checksum {
            let values = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            guard values.count == size else {
                throw EnsembleError(description: "\(a.path) holds \(values.count) values, expected \(rows) × \(data.outputCount): the data changed since the sweep ran")
            }
            return values
        }
        guard let c = artifacts.first(where: { $0.kind == "checkpoint" }) else {
            throw EnsembleError(description: "trial \(t.index) has neither \(split.file) nor a checkpoint in \(run.url.path)")
        }
        onRecompute?(t.index, split)
        let model = try load(t, checkpoint: c)
        let values = Trainer.evaluate(model, split.dataset(data)).outputs
        let bytes = values.withUnsafeBytes { Array($0) }
        let path = RunDirectory.trialFolder(t.index) + "/" + split.file
        let sum = try run.write(bytes, to: path)
        try store.putArtifact(ArtifactRecord(trial: t.index, kind: split.kind, path: path, bytes: bytes.count, checksum: sum))
        return values
    }

    /// Trial `t`'s model with its stored weights.
    func load(_ t: TrialRecord, checkpoint c: ArtifactRecord) throws -> Sequential {
        let path = run.url.appendingPathComponent(c.path).path
        let bytes = try run.read(c.path)
        guard RunDirectory.checksum(bytes) == c.checksum else {
            throw EnsembleError(description: "\(path) does not match the checksum the store recorded: the file is damaged; the trial cannot be reloaded")
        }
        var rng = RNG(seed: 0)
        let configuration = DistillationSweep.split(t.configuration)?.student ?? t.configuration
        let model = try ModelBuilder.build(try spec.trainingConfig(configuration), for: data, rng: &rng).model
        try Checkpoint.decode(bytes, source: path).restore(into: model, source: path)
        model.isTraining = false
        return model
    }
}
