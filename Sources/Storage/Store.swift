// Store: where a sweep's records live. Rank 0 is the only writer; readers (`hpsearch status`,
// reports) may read while it writes.
import Foundation
import Search

/// The sweep a store holds (one sweep per store, one store per run directory).
public struct SweepRecord: Sendable, Equatable {
    public var name: String
    public var seed: UInt64
    /// The sweep file's full text, as run.
    public var specText: String
    public var createdAt: Date
    /// Free-form facts about the run (hosts, ranks, versions), for reports.
    public var environment: [String: String]

    public init(name: String, seed: UInt64, specText: String, createdAt: Date = Date(), environment: [String: String] = [:]) {
        self.name = name
        self.seed = seed
        self.specText = specText
        self.createdAt = createdAt
        self.environment = environment
    }
}

/// One trial: its configuration and seed (a pure function of the sweep seed and its index), its
/// state, and its best epoch so far.
public struct TrialRecord: Sendable, Equatable {
    public var index: Int
    public var configuration: Configuration
    public var seed: UInt64
    public var state: TrialState
    /// The rank running or last running it.
    public var rank: Int?
    /// Epochs finished.
    public var epochs: Int
    public var bestEpoch: Int?
    /// The sweep metric at the best epoch.
    public var bestValue: Double?
    public var bestValidationLoss: Double?
    public var bestValidationAccuracy: Double?
    /// Why it failed, diverged, was pruned or was lost.
    public var message: String?
    public var startedAt: Date?
    public var finishedAt: Date?

    public init(index: Int, configuration: Configuration, seed: UInt64, state: TrialState = .pending, rank: Int? = nil,
                epochs: Int = 0, bestEpoch: Int? = nil, bestValue: Double? = nil, bestValidationLoss: Double? = nil,
                bestValidationAccuracy: Double? = nil, message: String? = nil, startedAt: Date? = nil, finishedAt: Date? = nil) {
        self.index = index
        self.configuration = configuration
        self.seed = seed
        self.state = state
        self.rank = rank
        self.epochs = epochs
        self.bestEpoch = bestEpoch
        self.bestValue = bestValue
        self.bestValidationLoss = bestValidationLoss
        self.bestValidationAccuracy = bestValidationAccuracy
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// A file a trial produced under the run directory (checkpoint, predictions), by kind.
public struct ArtifactRecord: Sendable, Equatable {
    public var trial: Int
    /// "checkpoint", "validation_predictions", "test_predictions", "epoch_checkpoint", …
    public var kind: String
    /// Relative to the run directory.
    public var path: String
    public var bytes: Int
    public var checksum: UInt64

    public init(trial: Int, kind: String, path: String, bytes: Int, checksum: UInt64) {
        self.trial = trial
        self.kind = kind
        self.path = path
        self.bytes = bytes
        self.checksum = checksum
    }
}

/// An ensemble built from the sweep (issue: ensembles), with its evaluation as JSON.
public struct EnsembleRecord: Sendable, Equatable {
    public var id: Int
    /// "average" | "greedy" | "distilled"
    public var method: String
    public var members: [Int]
    public var weights: [Double]
    /// Evaluation results (accuracy, NLL, ECE, …) as a JSON object.
    public var resultJSON: String
    public var createdAt: Date

    public init(id: Int, method: String, members: [Int], weights: [Double], resultJSON: String, createdAt: Date = Date()) {
        self.id = id
        self.method = method
        self.members = members
        self.weights = weights
        self.resultJSON = resultJSON
        self.createdAt = createdAt
    }
}

/// Persistence of one sweep.
///
/// Contract:
/// - Every write costs O(1) statements whatever the number of trials and epochs stored.
/// - `upsertTrial` replaces the record with the same index (or inserts it); `appendEpoch`
///   replaces an existing (trial, epoch) row (a resumed trial re-running an epoch);
///   `putArtifact` replaces the trial's artifact of the same kind.
/// - `appendEpoch`, `appendHealth` and `putArtifact` need their trial stored first (`upsertTrial`); otherwise
///   they throw and store nothing.
/// - Reads return trials ordered by index, epochs ordered by (trial, epoch), a trial's
///   artifacts ordered by kind (bytewise) and ensembles ordered by id.
/// - `setSweep` is called once per store; a second call with the same name replaces the record
///   (a resume), one with another sweep name throws.
/// - Writes inside `transaction` are atomic together; outside one, each write is atomic. When
///   the body throws, every write it made is undone and the error is rethrown unchanged. A
///   nested `transaction` commits with the outermost one; if its body throws, only its own
///   writes are undone (the caller may catch the error and carry on). A write that throws
///   inside a transaction changes nothing, and the transaction's other writes stand.
/// - Records come back as stored, except: configurations and ensemble weights go through JSON
///   (an integral `.double` comes back as `.int`, NaN and infinities are refused), and dates
///   through unix seconds as a `Double` (within 1 µs). NaN and infinite epoch and trial
///   numbers (a diverged trial) come back as they went in.
/// - Errors are `StoreError`s saying what to do next.
/// Implementations are used from one thread at a time; `InMemoryStore` and `SQLiteStore` answer
/// alike, bit for bit.
public protocol Store: AnyObject {
    func setSweep(_ sweep: SweepRecord) throws
    func sweep() throws -> SweepRecord?
    func upsertTrial(_ trial: TrialRecord) throws
    func trial(_ index: Int) throws -> TrialRecord?
    func trials() throws -> [TrialRecord]
    func appendEpoch(_ epoch: EpochRecord) throws
    /// Appends `epochs` in order, as `appendEpoch` on each in turn would (a later one for the same
    /// (trial, epoch) replaces an earlier one), in O(1) statements per `SQLiteStore.epochBatchRows`
    /// epochs (rank 0's group commit writes a batch's epoch rows this way). Atomic: when one of
    /// them needs a trial not stored, it throws the error `appendEpoch` would have thrown for the
    /// first such epoch and stores none of them.
    func appendEpochs(_ epochs: [EpochRecord]) throws
    func epochs(trial: Int) throws -> [EpochRecord]
    func allEpochs() throws -> [EpochRecord]
    /// Records a trial's health at one epoch (epoch 0: at initialisation), replacing what was
    /// recorded for that (trial, epoch); layer indices must be unique. Atomic.
    func appendHealth(_ health: EpochHealth) throws
    /// The trial's health records, by epoch, each with its layers by index.
    func health(trial: Int) throws -> [EpochHealth]
    /// Every trial's, by (trial, epoch).
    func allHealth() throws -> [EpochHealth]
    func putArtifact(_ artifact: ArtifactRecord) throws
    func artifacts(trial: Int) throws -> [ArtifactRecord]
    /// Removes the (trial, kind) artifact record; nothing happens when there is none.
    func deleteArtifact(trial: Int, kind: String) throws
    /// Stores an ensemble; `record.id` 0 means "assign the next id". Returns the id.
    @discardableResult func putEnsemble(_ record: EnsembleRecord) throws -> Int
    func ensembles() throws -> [EnsembleRecord]
    /// Stores (or replaces) a configuration's figure over its repeats (`repeats:` sweeps).
    func putConfiguration(_ record: ConfigurationRecord) throws
    /// Every stored configuration record, by index (empty without `repeats:`).
    func configurations() throws -> [ConfigurationRecord]
    /// Runs `body` as one atomic unit of writes.
    func transaction<T>(_ body: () throws -> T) throws -> T
}

public struct StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
