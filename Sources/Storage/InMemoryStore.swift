// InMemoryStore: the Store contract in dictionaries, for tests and dry runs. Answers exactly as
// SQLiteStore does for the same calls (see RecordCodec), errors included.
import Foundation
import Search

public final class InMemoryStore: Store {
    private var sweepRecord: SweepRecord?
    private var trialsByIndex: [Int: TrialRecord] = [:]
    /// Each trial's epochs, sorted by epoch (appends in order are O(1)).
    private var epochsByTrial: [Int: [EpochRecord]] = [:]
    private var healthByTrial: [Int: [Int: EpochHealth]] = [:]
    private var artifactsByTrial: [Int: [String: ArtifactRecord]] = [:]
    private var ensemblesByID: [Int: EnsembleRecord] = [:]
    private var configurationsByIndex: [Int: ConfigurationRecord] = [:]
    private let codec = RecordCodec()

    /// What each write inside a transaction replaced, newest last, to undo it on a throw.
    private var undoLog: [Undo] = []
    /// The undo log's length when each open transaction (outermost first) began.
    private var openTransactions: [Int] = []

    private enum Undo {
        case sweep(SweepRecord?)
        case trial(Int, TrialRecord?)
        case epoch(trial: Int, epoch: Int, EpochRecord?)
        case health(trial: Int, epoch: Int, EpochHealth?)
        case artifact(trial: Int, kind: String, ArtifactRecord?)
        case ensemble(Int, EnsembleRecord?)
        case configuration(Int, ConfigurationRecord?)
    }

    public init() {}

    // MARK: Sweep

    public func setSweep(_ sweep: SweepRecord) throws {
        if let stored = sweepRecord, stored.name != sweep.name {
            throw StoreError(StoreMessages.sweepConflict(stored: stored.name, given: sweep.name))
        }
        log(.sweep(sweepRecord))
        sweepRecord = codec.canonical(sweep)
    }

    public func sweep() throws -> SweepRecord? { sweepRecord }

    // MARK: Trials

    public func upsertTrial(_ trial: TrialRecord) throws {
        let stored = try codec.canonical(trial)
        log(.trial(trial.index, trialsByIndex[trial.index]))
        trialsByIndex[trial.index] = stored
    }

    public func trial(_ index: Int) throws -> TrialRecord? { trialsByIndex[index] }

    public func trials() throws -> [TrialRecord] {
        trialsByIndex.values.sorted { $0.index < $1.index }
    }

    // MARK: Epochs

    public func appendEpochs(_ epochs: [EpochRecord]) throws {
        try transaction { for e in epochs { try appendEpoch(e) } }
    }

    public func appendEpoch(_ epoch: EpochRecord) throws {
        guard trialsByIndex[epoch.trial] != nil else {
            throw StoreError(StoreMessages.unknownTrial("epoch \(epoch.epoch)", trial: epoch.trial))
        }
        var list = epochsByTrial[epoch.trial, default: []]
        epochsByTrial[epoch.trial] = nil  // keep `list` uniquely referenced: no copy on write
        let position = Self.position(of: epoch.epoch, in: list)
        if position < list.count && list[position].epoch == epoch.epoch {
            log(.epoch(trial: epoch.trial, epoch: epoch.epoch, list[position]))
            list[position] = epoch
        } else {
            log(.epoch(trial: epoch.trial, epoch: epoch.epoch, nil))
            list.insert(epoch, at: position)
        }
        epochsByTrial[epoch.trial] = list
    }

    public func epochs(trial: Int) throws -> [EpochRecord] { epochsByTrial[trial] ?? [] }

    public func allEpochs() throws -> [EpochRecord] {
        epochsByTrial.keys.sorted().flatMap { epochsByTrial[$0]! }
    }

    /// Where `epoch` is or would go in `list` (sorted by epoch); the end for the usual append.
    // MARK: Health

    public func appendHealth(_ health: EpochHealth) throws {
        guard trialsByIndex[health.trial] != nil else {
            throw StoreError(StoreMessages.unknownTrial("health at epoch \(health.epoch)", trial: health.trial))
        }
        guard Set(health.layers.map(\.layer)).count == health.layers.count else {
            throw StoreError("recording the health of trial \(health.trial) at epoch \(health.epoch): two layers with the same index; each layer's index must be unique")
        }
        var stored = health
        stored.layers.sort { $0.layer < $1.layer }
        log(.health(trial: health.trial, epoch: health.epoch, healthByTrial[health.trial]?[health.epoch]))
        healthByTrial[health.trial, default: [:]][health.epoch] = stored
    }

    public func health(trial: Int) throws -> [EpochHealth] {
        (healthByTrial[trial] ?? [:]).values.sorted { $0.epoch < $1.epoch }
    }

    public func allHealth() throws -> [EpochHealth] {
        healthByTrial.keys.sorted().flatMap { try! health(trial: $0) }
    }

    private static func position(of epoch: Int, in list: [EpochRecord]) -> Int {
        if let last = list.last, last.epoch < epoch { return list.count }
        var low = 0, high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle].epoch < epoch { low = middle + 1 } else { high = middle }
        }
        return low
    }

    // MARK: Artifacts

    public func putArtifact(_ artifact: ArtifactRecord) throws {
        guard trialsByIndex[artifact.trial] != nil else {
            throw StoreError(StoreMessages.unknownTrial("artifact '\(artifact.kind)'", trial: artifact.trial))
        }
        log(.artifact(trial: artifact.trial, kind: artifact.kind, artifactsByTrial[artifact.trial]?[artifact.kind]))
        artifactsByTrial[artifact.trial, default: [:]][artifact.kind] = artifact
    }

    public func deleteArtifact(trial: Int, kind: String) throws {
        guard let previous = artifactsByTrial[trial]?[kind] else { return }
        log(.artifact(trial: trial, kind: kind, previous))
        artifactsByTrial[trial]?[kind] = nil
    }

    public func artifacts(trial: Int) throws -> [ArtifactRecord] {
        (artifactsByTrial[trial] ?? [:]).values.sorted { Self.precedes($0.kind, $1.kind) }
    }

    /// SQLite's default (BINARY) collation: bytes of the UTF-8 text.
    private static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    // MARK: Ensembles

    @discardableResult
    public func putEnsemble(_ record: EnsembleRecord) throws -> Int {
        guard record.id >= 0 else { throw StoreError(StoreMessages.negativeEnsembleID(record.id)) }
        var stored = try codec.canonical(record)
        if stored.id == 0 { stored.id = (ensemblesByID.keys.max() ?? 0) + 1 }
        log(.ensemble(stored.id, ensemblesByID[stored.id]))
        ensemblesByID[stored.id] = stored
        return stored.id
    }

    public func ensembles() throws -> [EnsembleRecord] {
        ensemblesByID.values.sorted { $0.id < $1.id }
    }

    // MARK: Configurations

    public func putConfiguration(_ record: ConfigurationRecord) throws {
        log(.configuration(record.index, configurationsByIndex[record.index]))
        configurationsByIndex[record.index] = record
    }

    public func configurations() throws -> [ConfigurationRecord] {
        configurationsByIndex.values.sorted { $0.index < $1.index }
    }

    // MARK: Transactions

    public func transaction<T>(_ body: () throws -> T) throws -> T {
        openTransactions.append(undoLog.count)
        do {
            let value = try body()
            openTransactions.removeLast()
            if openTransactions.isEmpty { undoLog.removeAll(keepingCapacity: true) }
            return value
        } catch {
            let start = openTransactions.removeLast()
            while undoLog.count > start { undo(undoLog.removeLast()) }
            throw error
        }
    }

    private func log(_ entry: @autoclosure () -> Undo) {
        if !openTransactions.isEmpty { undoLog.append(entry()) }
    }

    private func undo(_ entry: Undo) {
        switch entry {
        case .sweep(let previous):
            sweepRecord = previous
        case .trial(let index, let previous):
            trialsByIndex[index] = previous
        case .epoch(let trial, let epoch, let previous):
            var list = epochsByTrial[trial] ?? []
            let position = Self.position(of: epoch, in: list)
            let present = position < list.count && list[position].epoch == epoch
            switch (previous, present) {
            case (let record?, true): list[position] = record
            case (let record?, false): list.insert(record, at: position)
            case (nil, true): list.remove(at: position)
            case (nil, false): break
            }
            epochsByTrial[trial] = list.isEmpty ? nil : list
        case .health(let trial, let epoch, let previous):
            healthByTrial[trial, default: [:]][epoch] = previous
            if healthByTrial[trial]?.isEmpty == true { healthByTrial[trial] = nil }
        case .artifact(let trial, let kind, let previous):
            artifactsByTrial[trial, default: [:]][kind] = previous
            if artifactsByTrial[trial]?.isEmpty == true { artifactsByTrial[trial] = nil }
        case .ensemble(let id, let previous):
            ensemblesByID[id] = previous
        case .configuration(let index, let previous):
            configurationsByIndex[index] = previous
        }
    }
}
