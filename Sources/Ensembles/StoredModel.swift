// StoredModel: a model a sweep left in its run directory — one trial, an ensemble of trials
// (members' probabilities, or regression predictions, averaged with their weights) or the
// distilled student — rebuilt from its configuration, its weights reloaded from the checkpoint,
// with the transform fitted on the training split: what `hpsearch predict` and
// `hpsearch export-model` apply to new data.
import Datasets
import Foundation
import NN
import Search
import Storage
import TensorCore
import Training

public struct StoredModel {
    /// Which model of a run directory.
    public enum Choice: Sendable, Equatable {
        /// The newest ensemble, else the best trial.
        case automatic
        case trial(Int)
        /// An ensemble by id; nil: the newest.
        case ensemble(Int?)
        /// The distilled student (the best student of RUN_DIR/distill).
        case student
    }

    public struct Member {
        public var trial: Int
        public var weight: Double
        public var configuration: Configuration
        public var model: Sequential
        public var cost: ModelCost
        /// The trial's record in its store (for the model card).
        public var record: TrialRecord
        /// The run directory whose store holds the trial (RUN_DIR, or RUN_DIR/distill for a student).
        public var runDirectory: String
    }

    /// "trial 12", "ensemble 3 (average of 5)", "distilled student (trial 2 of …/distill)".
    public var name: String
    /// What it is, for model cards and exports: "trial", "ensemble" or "student".
    public var kind: String
    /// The ensemble's id in the store (kind "ensemble").
    public var ensembleID: Int?
    /// The ensemble's method ("average" | "greedy"), for kind "ensemble".
    public var method: String?
    public var members: [Member]
    public var transform: FittedTransform
    public var spec: SweepSpec
    /// The sweep's stored record (name, seed, environment).
    public var sweep: SweepRecord?
    /// The ensemble's stored result (EnsembleReport JSON), for kind "ensemble".
    public var resultJSON: String?

    public var isRegression: Bool { transform.targets != nil }
    /// Outputs per row: classes, or regression targets.
    public var outputCount: Int { transform.targets?.names.count ?? transform.classNames.count }
    public var classNames: [String] { transform.classNames }
    public var targetNames: [String] { transform.targets?.names ?? [] }

    /// The shape models of this run are built for.
    static func shape(_ t: FittedTransform) -> DataShape {
        DataShape(featureCount: t.featureCount, imageShape: t.imageShape, classCount: t.targets?.names.count ?? t.classNames.count)
    }

    /// Loads `choice` from the run directory `directory`.
    public static func load(_ directory: String, choice: Choice) throws -> StoredModel {
        let run = RunDirectory(directory)
        guard run.exists else {
            throw EnsembleError(description: "\(directory) holds no sweep (no sweep.db); give the run directory `hpsearch run` printed")
        }
        let store = try SQLiteStore(path: run.storePath)
        let spec = try StoredSweep.trainingSpec(of: run, store: store)
        guard spec.program == nil else {
            throw EnsembleError(description: "\(directory) is a program: sweep: its models are your program's own (hpsearch has only their predictions, "
                                + "under trials/NNNNN/); predict and export them with your program")
        }
        var transform = try Self.transform(of: run, spec: spec)
        switch spec.data.source {
        case .fashionMNIST, .idx: transform.inputDivisor = 255   // the IDX reader's pixels / 255
        default: break
        }
        let sweep = try store.sweep()
        func trialModel(_ store: any Store, _ run: RunDirectory, _ t: TrialRecord, weight: Double) throws -> Member {
            guard let c = try store.artifacts(trial: t.index).first(where: { $0.kind == "checkpoint" }) else {
                throw EnsembleError(description: "trial \(t.index) of \(run.url.path) has no checkpoint (state \(t.state.rawValue)); "
                                    + "only trials that finished with a model can predict: see `hpsearch status \(run.url.path)`")
            }
            let path = run.url.appendingPathComponent(c.path).path
            let bytes: [UInt8]
            do { bytes = try run.read(c.path) } catch {
                throw EnsembleError(description: "cannot read \(path), trial \(t.index)'s checkpoint: \(error.localizedDescription)")
            }
            guard RunDirectory.checksum(bytes) == c.checksum else {
                throw EnsembleError(description: "\(path) does not match the checksum the store recorded: the file is damaged")
            }
            let configuration = DistillationSweep.split(t.configuration)?.student ?? t.configuration
            var rng = RNG(seed: 0)
            // Every weight and buffer comes from the checkpoint (restore checks that): no random draws first.
            let built = try Initializer.withoutSampling {
                try ModelBuilder.build(try spec.trainingConfig(configuration), featureCount: transform.featureCount,
                                       imageShape: transform.imageShape, classCount: shape(transform).classCount, rng: &rng)
            }
            try Checkpoint.decode(bytes, source: path).restore(into: built.model, source: path)
            built.model.isTraining = false
            return Member(trial: t.index, weight: weight, configuration: configuration, model: built.model, cost: built.cost, record: t,
                          runDirectory: run.url.path)
        }
        func best(_ store: any Store, metric: MetricSpec, students: Bool = false) throws -> TrialRecord? {
            try store.trials().filter { $0.state.hasModel && $0.bestValue != nil && (!students || $0.index > 0) }
                .min { a, b in a.bestValue! == b.bestValue! ? a.index < b.index : metric.isBetter(a.bestValue!, than: b.bestValue!) }
        }
        var model = StoredModel(name: "", kind: "trial", members: [], transform: transform, spec: spec, sweep: sweep)
        var choice = choice
        if choice == .automatic {
            choice = try store.ensembles().contains { $0.method != "distilled" } ? .ensemble(nil) : .trial(-1)
        }
        switch choice {
        case .automatic:
            break
        case .trial(let index):
            let t: TrialRecord
            if index < 0 {
                guard let b = try best(store, metric: spec.metric) else {
                    throw EnsembleError(description: "no trial of \(directory) has finished with a model yet: see `hpsearch status \(directory)`")
                }
                t = b
            } else {
                guard let found = try store.trial(index) else {
                    let count = try store.trials().count
                    throw EnsembleError(description: "\(directory) has no trial \(index) (it has trials 0–\(max(count - 1, 0)))")
                }
                t = found
            }
            model.members = [try trialModel(store, run, t, weight: 1)]
            model.name = "trial \(t.index)"
        case .ensemble(let id):
            let built = try store.ensembles().filter { $0.method != "distilled" }
            guard !built.isEmpty else {
                throw EnsembleError(description: "\(directory) has no ensemble yet: build one with `hpsearch ensemble \(directory)`, or pick --trial N")
            }
            let record: EnsembleRecord
            if let id {
                guard let r = built.first(where: { $0.id == id }) else {
                    throw EnsembleError(description: "\(directory) has no ensemble \(id); its ensembles are " + built.map { String($0.id) }.joined(separator: ", "))
                }
                record = r
            } else {
                record = built.max { $0.id < $1.id }!
            }
            model.members = try zip(record.members, record.weights).map { trial, weight in
                guard let t = try store.trial(trial) else { throw EnsembleError(description: "ensemble \(record.id) names trial \(trial), which the store lacks") }
                return try trialModel(store, run, t, weight: weight)
            }
            model.kind = "ensemble"
            model.ensembleID = record.id
            model.method = record.method
            model.resultJSON = record.resultJSON
            model.name = "ensemble \(record.id) (\(record.method) of \(record.members.count): trials "
                + record.members.map(String.init).joined(separator: ", ") + ")"
        case .student:
            let studentRun = RunDirectory(run.url.appendingPathComponent("distill").path)
            guard studentRun.exists else {
                throw EnsembleError(description: "\(directory) has no distilled student: run `hpsearch distill \(directory)` first")
            }
            let students = try SQLiteStore(path: studentRun.storePath)
            guard let t = try best(students, metric: spec.metric, students: true) else {
                throw EnsembleError(description: "no student of \(studentRun.url.path) finished with a model: see `hpsearch status \(studentRun.url.path)`")
            }
            model.members = [try trialModel(students, studentRun, t, weight: 1)]
            model.kind = "student"
            model.name = "distilled student (trial \(t.index) of \(studentRun.url.path))"
        }
        return model
    }

    /// The run's stored transform; for a run directory without `transform.json` (written since
    /// the data readers fitted one), the data is loaded again to fit it.
    static func transform(of run: RunDirectory, spec: SweepSpec) throws -> FittedTransform {
        if let json = FileManager.default.contents(atPath: run.transformPath) {
            do { return try FittedTransform(json: json) } catch {
                throw EnsembleError(description: "\(run.transformPath) cannot be read (\(error)); delete it and it is fitted again from the sweep's data")
            }
        }
        guard let t = try PreparedData.load(spec.data, seed: spec.seed).transform else {
            throw EnsembleError(description: "the sweep's data has no fitted transform")
        }
        return t
    }

    /// Rows the models see at once: a multiple of the evaluator's batch (1,000), so that a row's
    /// outputs are computed in the same batch, with the same bits, as the sweep computed them.
    public static let chunkRows = 4000

    /// Outputs for `features` (rows × featureCount, transformed): class probabilities [rows ×
    /// classes], or regression predictions in the targets' units [rows × targets]. One member:
    /// exactly what the trial stored for the same rows; an ensemble: `EnsembleSelection.combine`.
    ///
    /// With several members and `BLAS.threads` ≥ 2, the members run side by side, up to that
    /// many at once, each on one BLAS thread (largest first, so the threads finish together):
    /// a 2-core machine then does no single-threaded work while a core idles, and each member's
    /// outputs are those of a one-thread evaluation whatever `--threads` says — the bits a sweep
    /// whose workers had one BLAS thread each stored (the quickstart's, for one).
    public func outputs(_ features: [Float], rows: Int) -> [Float] {
        let threads = BLAS.threads
        let perMember: [[Float]]
        if members.count > 1, threads > 1 {
            BLAS.setThreads(1)
            defer { BLAS.setThreads(threads) }
            let order = members.indices.sorted { members[$0].cost.flopsPerExample > members[$1].cost.flopsPerExample }
            let results = MemberOutputs(count: members.count)
            let workers = min(threads, members.count)
            let shared = UncheckedShare((model: self, features: features))
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                // Each worker takes the next member until none is left; a member's model is used by one thread only.
                let (model, features) = shared.value
                while let k = results.claim() {
                    let i = order[k]
                    results.set(i, model.outputs(of: model.members[i], features, rows: rows))
                }
            }
            perMember = results.values
        } else {
            perMember = members.map { outputs(of: $0, features, rows: rows) }
        }
        if members.count == 1 { return perMember[0] }
        return EnsembleSelection.combine(perMember, EnsembleWeights(weights: members.map(\.weight)))
    }

    /// One member's outputs for `features` (see `outputs`).
    func outputs(of member: Member, _ features: [Float], rows: Int) -> [Float] {
            let data: Dataset
            if let t = transform.targets {
                data = Dataset(features: features,
                               targets: Dataset.Targets(values: [Float](repeating: 0, count: rows * t.names.count), width: t.names.count,
                                                        names: t.names, mean: t.mean, std: t.std),
                               featureCount: transform.featureCount, imageShape: transform.imageShape)
            } else {
                data = Dataset(features: features, labels: [Int](repeating: 0, count: rows), featureCount: transform.featureCount,
                               classCount: transform.classNames.count, imageShape: transform.imageShape)
            }
            return Trainer.evaluate(member.model, data).outputs
    }
}

/// Lets `outputs`' workers read the model and the batch: each member's layers are used by one
/// worker only, and nothing else runs until they are done.
struct UncheckedShare<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// The members' outputs as the workers of `StoredModel.outputs` fill them in: a shared queue
/// position and one slot per member, under a lock.
final class MemberOutputs: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var slots: [[Float]]

    init(count: Int) { slots = Array(repeating: [], count: count) }

    /// The next position in the work order, or nil when every member is taken.
    func claim() -> Int? {
        lock.withLock {
            guard next < slots.count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    func set(_ i: Int, _ value: [Float]) { lock.withLock { slots[i] = value } }

    var values: [[Float]] { lock.withLock { slots } }
}
