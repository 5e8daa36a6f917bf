// SQLiteStore: the Store contract in one SQLite file (WAL), through the C API with cached
// prepared statements. Rank 0 opens it read-write; `hpsearch status` and reports open it read-only
// and read while rank 0 writes.
import CSQLite
import Foundation
import Search

public final class SQLiteStore: Store {
    /// The schema this build writes (see SQLiteSchema for the steps).
    public static let schemaVersion = 4

    public let path: String
    public let readOnly: Bool
    private let database: Database
    private let codec = RecordCodec()
    /// False for a schema-1 file opened read-only (its epochs have no metrics column): it is read
    /// as it is, and upgraded the next time it is opened read-write.
    private var epochsHaveMetrics = true
    /// False for an older store opened read-only (schema < 3): it has no health tables; reads give none.
    private var hasHealth = true
    private var hasConfigurations = true
    /// Open `transaction` calls (0 outside any).
    private var transactionDepth = 0
    /// JSON of the configurations of unfinished trials, by index (see upsertTrial).
    private var configurationJSON: [Int: (configuration: Configuration, json: String)] = [:]

    /// Opens (creating it when new, unless `readOnly`) the store at `path` and brings its schema up to date.
    ///
    /// - Parameters:
    ///   - readOnly: open for reading only (SQLITE_OPEN_READONLY); such a store can read while another
    ///     connection writes, and its `transaction` is a consistent snapshot rather than a write lock.
    ///   - busyTimeoutMilliseconds: how long a write waits for another writer's lock before failing
    ///     with "database is locked".
    public init(path: String, readOnly: Bool = false, busyTimeoutMilliseconds: Int = 5000) throws {
        self.path = path
        self.readOnly = readOnly
        if readOnly && !FileManager.default.fileExists(atPath: path) {
            throw StoreError("\(path): no hpsearch store here: check the run directory (`hpsearch run` creates the store)")
        }
        do {
            database = try Database(path: path, readOnly: readOnly, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        } catch let failure as SQLiteFailure {
            throw Self.storeError(failure, path: path, operation: "opening the store")
        }
        try guarded("opening the store") {
            if !readOnly {
                try database.execute("PRAGMA journal_mode = WAL")
                try database.execute("PRAGMA synchronous = NORMAL")
            }
            // Rank 0 is the only writer of a store that grows to tens of MB (200,000 trials):
            // a 64 MiB page cache keeps its pages in memory instead of re-reading them from the
            // file after every checkpoint.
            try database.execute("PRAGMA cache_size = -65536")
            if !readOnly { try database.execute("PRAGMA wal_autocheckpoint = 10000") }
            // Statement and savepoint journals (a multi-row INSERT, a nested transaction) in
            // memory: past 64 KiB SQLite spills them to a temporary file, and with 32-row epoch
            // INSERTs that file was more than half of rank 0's writes (2.4× the pwrites).
            try database.execute("PRAGMA temp_store = MEMORY")
            try database.execute("PRAGMA foreign_keys = ON")
        }
        try migrate()
    }

    // MARK: Schema

    /// The schema version recorded in the file (0 for an empty database).
    public func storedSchemaVersion() throws -> Int {
        try guarded("reading the schema version") { try readSchemaVersion() }
    }

    private func readSchemaVersion() throws -> Int {
        let hasMeta = try database.queryFirst(SQL.tableCount, bind: { try $0.bind("meta", at: 1) }, row: { $0.int(0) }) ?? 0
        guard hasMeta > 0 else {
            let objects = try database.queryFirst(SQL.objectCount, row: { $0.int(0) }) ?? 0
            if objects > 0 {
                throw StoreError("\(path): an SQLite database, but not an hpsearch store (it has no meta table): point hpsearch at a run directory it created")
            }
            return 0
        }
        guard let text = try database.queryFirst(SQL.schemaVersion, row: { $0.string(0) }), let version = Int(text) else {
            throw StoreError("\(path): " + StoreMessages.damaged("the meta table has no schema_version"))
        }
        return version
    }

    /// Applies the migration steps above the file's version, in one transaction.
    private func migrate() throws {
        let current = Self.schemaVersion
        var version = try guarded("opening the store") { try readSchemaVersion() }
        try refuseNewer(version)
        if version == current { return }
        if readOnly, version >= 1, version < current {
            // Read an older store as it is: what it lacks reads as empty.
            epochsHaveMetrics = version >= 2
            hasHealth = version >= 3
            hasConfigurations = version >= 4
            return
        }
        if readOnly {
            throw StoreError(version == 0
                ? "\(path): no hpsearch store here (an empty database): check the run directory (`hpsearch run` creates the store)"
                : "\(path): the store has schema \(version), this hpsearch reads \(current): open it read-write once (e.g. `hpsearch resume`) to upgrade it")
        }
        try guarded("upgrading the schema from version \(version) to \(current)") {
            try database.run(SQL.beginImmediate)
            do {
                version = try readSchemaVersion()  // another process may have upgraded it meanwhile
                try refuseNewer(version)
                for step in SQLiteSchema.migrations where step.version > version {
                    try database.execute(step.sql)
                    try database.run(SQL.setSchemaVersion) { try $0.bind(String(step.version), at: 1) }
                }
                try database.run(SQL.commit)
            } catch {
                if !database.isAutocommit { try? database.run(SQL.rollback) }
                throw error
            }
        }
    }

    private func refuseNewer(_ version: Int) throws {
        if version > Self.schemaVersion {
            throw StoreError("\(path): run directory was written by a newer hpsearch (schema \(version) > \(Self.schemaVersion)); upgrade hpsearch")
        }
    }

    // MARK: Sweep

    public func setSweep(_ sweep: SweepRecord) throws {
        let environment = try codec.json(sweep.environment, "the sweep's environment")
        try guarded("recording sweep '\(sweep.name)'") {
            try database.run(SQL.setSweep) { s in
                try s.bind(sweep.name, at: 1)
                try s.bind(Int64(bitPattern: sweep.seed), at: 2)
                try s.bind(sweep.specText, at: 3)
                try s.bind(RecordCodec.unixSeconds(sweep.createdAt), at: 4)
                try s.bind(environment, at: 5)
            }
            if database.changes == 0 {
                let stored = try database.queryFirst(SQL.sweep, row: { $0.string(0) }) ?? "?"
                throw StoreError("\(path): " + StoreMessages.sweepConflict(stored: stored, given: sweep.name))
            }
        }
    }

    public func sweep() throws -> SweepRecord? {
        let row = try guarded("reading the sweep") {
            try database.queryFirst(SQL.sweep) { s in
                (name: s.string(0), seed: s.int64(1), spec: s.string(2), created: s.double(3), environment: s.string(4))
            }
        }
        guard let row else { return nil }
        return SweepRecord(name: row.name, seed: UInt64(bitPattern: row.seed), specText: row.spec,
                           createdAt: RecordCodec.date(unixSeconds: row.created),
                           environment: try codec.value([String: String].self, json: row.environment, "\(path): the sweep's environment"))
    }

    // MARK: Trials

    public func upsertTrial(_ trial: TrialRecord) throws {
        // A running trial is upserted after every epoch with the same configuration: keep its
        // JSON rather than encode it again (JSON encoding was a fifth of rank 0's time).
        let configuration: String
        if let cached = configurationJSON[trial.index], cached.configuration == trial.configuration {
            configuration = cached.json
        } else {
            configuration = try codec.json(trial.configuration, "trial \(trial.index)'s configuration")
        }
        if trial.state.isFinished { configurationJSON[trial.index] = nil } else { configurationJSON[trial.index] = (trial.configuration, configuration) }
        try guarded("recording trial \(trial.index)") {
            try database.run(SQL.upsertTrial) { s in
                try s.bind(trial.index, at: 1)
                try s.bind(configuration, at: 2)
                try s.bind(Int64(bitPattern: trial.seed), at: 3)
                try s.bind(trial.state.rawValue, at: 4)
                try s.bind(trial.rank, at: 5)
                try s.bind(trial.epochs, at: 6)
                try s.bind(trial.bestEpoch, at: 7)
                try s.bind(trial.bestValue, at: 8)
                try s.bind(trial.bestValidationLoss, at: 9)
                try s.bind(trial.bestValidationAccuracy, at: 10)
                try s.bind(trial.message, at: 11)
                try s.bind(trial.startedAt.map(RecordCodec.unixSeconds), at: 12)
                try s.bind(trial.finishedAt.map(RecordCodec.unixSeconds), at: 13)
            }
        }
    }

    public func trial(_ index: Int) throws -> TrialRecord? {
        let row = try guarded("reading trial \(index)") {
            try database.queryFirst(SQL.trial, bind: { try $0.bind(index, at: 1) }, row: TrialRow.init)
        }
        return try row.map(decode)
    }

    public func trials() throws -> [TrialRecord] {
        try guarded("reading the trials") { try database.query(SQL.trials, row: TrialRow.init) }.map(decode)
    }

    /// A trials row as read, before JSON and enum decoding (done after the statement is reset).
    private struct TrialRow {
        var index: Int, configuration: String, seed: Int64, state: String, rank: Int?, epochs: Int, bestEpoch: Int?
        var bestValue: Double?, bestValidationLoss: Double?, bestValidationAccuracy: Double?, message: String?
        var startedAt: Double?, finishedAt: Double?

        init(_ s: Statement) {
            index = s.int(0); configuration = s.string(1); seed = s.int64(2); state = s.string(3)
            rank = s.optionalInt(4); epochs = s.int(5); bestEpoch = s.optionalInt(6)
            bestValue = s.optionalDouble(7); bestValidationLoss = s.optionalDouble(8)
            bestValidationAccuracy = s.optionalDouble(9); message = s.optionalString(10)
            startedAt = s.optionalDouble(11); finishedAt = s.optionalDouble(12)
        }
    }

    private func decode(_ row: TrialRow) throws -> TrialRecord {
        guard let state = TrialState(rawValue: row.state) else {
            throw StoreError("\(path): trial \(row.index) has state '\(row.state)', which this hpsearch does not know: upgrade hpsearch")
        }
        let configuration = try codec.value(Configuration.self, json: row.configuration, "\(path): trial \(row.index)'s configuration")
        return TrialRecord(index: row.index, configuration: configuration, seed: UInt64(bitPattern: row.seed), state: state,
                           rank: row.rank, epochs: row.epochs, bestEpoch: row.bestEpoch, bestValue: row.bestValue,
                           bestValidationLoss: row.bestValidationLoss, bestValidationAccuracy: row.bestValidationAccuracy,
                           message: row.message, startedAt: row.startedAt.map(RecordCodec.date(unixSeconds:)),
                           finishedAt: row.finishedAt.map(RecordCodec.date(unixSeconds:)))
    }

    // MARK: Epochs

    public func appendEpoch(_ epoch: EpochRecord) throws {
        try guarded("recording epoch \(epoch.epoch) of trial \(epoch.trial)",
                    unknownTrial: StoreMessages.unknownTrial("epoch \(epoch.epoch)", trial: epoch.trial)) {
            try database.run(SQL.appendEpoch) { s in try Self.bind(epoch, s, row: 0) }
        }
    }

    /// Rows per multi-row INSERT of `appendEpochs` (9 parameters each, far under SQLite's limit):
    /// one statement's fixed cost (reset, cursors, halt) spread over this many rows.
    public static let epochBatchRows = 32

    /// `epochBatchRows` rows per statement, the rest one by one, inside a savepoint; a missing
    /// trial is reported as `appendEpoch` reports it, for the first epoch that needs it.
    public func appendEpochs(_ epochs: [EpochRecord]) throws {
        if epochs.count <= 1 {
            if let e = epochs.first { try appendEpoch(e) }
            return
        }
        try transaction {
            var i = 0
            while epochs.count - i >= Self.epochBatchRows {
                let start = i
                do {
                    try guarded("recording epochs of trials \(epochs[start].trial)…") {
                        try database.run(SQL.appendEpochBatch) { s in
                            for k in 0..<Self.epochBatchRows { try Self.bind(epochs[start + k], s, row: k) }
                        }
                    }
                } catch let failure as StoreError {
                    // A trial not stored: name the first epoch that needs one, as appendEpoch would.
                    for e in epochs[..<(start + Self.epochBatchRows)] where try trial(e.trial) == nil {
                        throw StoreError("\(path): " + StoreMessages.unknownTrial("epoch \(e.epoch)", trial: e.trial))
                    }
                    throw failure
                }
                i += Self.epochBatchRows
            }
            while i < epochs.count {
                try appendEpoch(epochs[i])
                i += 1
            }
        }
    }

    /// Binds `epoch` to parameters 9·row+1 … 9·row+9 (the column order of SQL.appendEpoch).
    @inline(__always)
    private static func bind(_ epoch: EpochRecord, _ s: Statement, row: Int) throws {
        let p = Int32(9 * row)
        try s.bind(epoch.trial, at: p + 1)
        try s.bind(epoch.epoch, at: p + 2)
        try s.bind(epoch.trainLoss, at: p + 3)
        try s.bind(epoch.trainAccuracy, at: p + 4)
        try s.bind(epoch.validationLoss, at: p + 5)
        try s.bind(epoch.validationAccuracy, at: p + 6)
        try s.bind(epoch.learningRate, at: p + 7)
        try s.bind(epoch.seconds, at: p + 8)
        try s.bind(epoch.metrics.isEmpty ? nil : RecordCodec.metricsText(epoch.metrics), at: p + 9)
    }

    public func epochs(trial: Int) throws -> [EpochRecord] {
        try guarded("reading the epochs of trial \(trial)") {
            try database.query(epochsHaveMetrics ? SQL.epochs : SQL.epochsV1, bind: { try $0.bind(trial, at: 1) }, row: Self.epoch)
        }
    }

    public func allEpochs() throws -> [EpochRecord] {
        try guarded("reading the epochs") { try database.query(epochsHaveMetrics ? SQL.allEpochs : SQL.allEpochsV1, row: Self.epoch) }
    }

    private static func epoch(_ s: Statement) -> EpochRecord {
        var r = EpochRecord(trial: s.int(0), epoch: s.int(1), trainLoss: s.double(2), trainAccuracy: s.double(3),
                            validationLoss: s.double(4), validationAccuracy: s.double(5), learningRate: s.double(6), seconds: s.double(7))
        if s.columnCount > 8, !s.isNull(8) { r.metrics = RecordCodec.metrics(fromText: s.string(8)) }
        return r
    }

    // MARK: Health

    public func appendHealth(_ health: EpochHealth) throws {
        try transaction {
            try guarded("recording the health of trial \(health.trial) at epoch \(health.epoch)",
                        unknownTrial: StoreMessages.unknownTrial("health at epoch \(health.epoch)", trial: health.trial)) {
                try database.run(SQL.putProbe) { s in
                    try s.bind(health.trial, at: 1)
                    try s.bind(health.epoch, at: 2)
                    try s.bind(health.loss, at: 3)
                    try s.bind(health.outputs, at: 4)
                    try s.bind(health.probe.withUnsafeBytes { Array($0) }, at: 5)
                }
                try database.run(SQL.deleteLayerHealth) { s in
                    try s.bind(health.trial, at: 1)
                    try s.bind(health.epoch, at: 2)
                }
                for l in health.layers {
                    try database.run(SQL.putLayerHealth) { s in
                        try s.bind(health.trial, at: 1)
                        try s.bind(health.epoch, at: 2)
                        try s.bind(l.layer, at: 3)
                        try s.bind(l.name, at: 4)
                        try s.bind(l.activation, at: 5)
                        try s.bind(l.parameters, at: 6)
                        for (k, v) in [l.gradientNorm, l.weightNorm, l.updateRatio, l.activationMean, l.activationStd,
                                       l.deadFraction, l.saturation].enumerated() { try s.bind(v, at: Int32(7 + k)) }
                    }
                }
            }
        }
    }

    public func health(trial: Int) throws -> [EpochHealth] {
        guard hasHealth else { return [] }
        return try guarded("reading the health of trial \(trial)") {
            Self.assemble(probes: try database.query(SQL.probes, bind: { try $0.bind(trial, at: 1) }, row: Self.probe),
                          layers: try database.query(SQL.layerHealth, bind: { try $0.bind(trial, at: 1) }, row: Self.layerHealth))
        }
    }

    public func allHealth() throws -> [EpochHealth] {
        guard hasHealth else { return [] }
        return try guarded("reading the training health") {
            Self.assemble(probes: try database.query(SQL.allProbes, row: Self.probe), layers: try database.query(SQL.allLayerHealth, row: Self.layerHealth))
        }
    }

    private static func probe(_ s: Statement) -> EpochHealth {
        let bytes = s.blob(4)
        let values = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        return EpochHealth(trial: s.int(0), epoch: s.int(1), loss: s.double(2), layers: [], outputs: s.int(3), probe: values)
    }

    private static func layerHealth(_ s: Statement) -> (trial: Int, epoch: Int, LayerHealth) {
        (s.int(0), s.int(1), LayerHealth(layer: s.int(2), name: s.string(3), activation: s.string(4), parameters: s.int(5),
                                         gradientNorm: s.double(6), weightNorm: s.double(7), updateRatio: s.double(8),
                                         activationMean: s.double(9), activationStd: s.double(10), deadFraction: s.double(11),
                                         saturation: s.double(12)))
    }

    /// Probe rows (ordered by trial, epoch) with their layer rows (ordered by trial, epoch, layer).
    private static func assemble(probes: [EpochHealth], layers: [(trial: Int, epoch: Int, LayerHealth)]) -> [EpochHealth] {
        var out = probes, k = 0
        for i in out.indices {
            while k < layers.count, (layers[k].trial, layers[k].epoch) < (out[i].trial, out[i].epoch) { k += 1 }
            while k < layers.count, layers[k].trial == out[i].trial, layers[k].epoch == out[i].epoch {
                out[i].layers.append(layers[k].2)
                k += 1
            }
        }
        return out
    }

    // MARK: Artifacts

    public func putArtifact(_ artifact: ArtifactRecord) throws {
        try guarded("recording artifact '\(artifact.kind)' of trial \(artifact.trial)",
                    unknownTrial: StoreMessages.unknownTrial("artifact '\(artifact.kind)'", trial: artifact.trial)) {
            try database.run(SQL.putArtifact) { s in
                try s.bind(artifact.trial, at: 1)
                try s.bind(artifact.kind, at: 2)
                try s.bind(artifact.path, at: 3)
                try s.bind(artifact.bytes, at: 4)
                try s.bind(Int64(bitPattern: artifact.checksum), at: 5)
            }
        }
    }

    public func deleteArtifact(trial: Int, kind: String) throws {
        try guarded("removing artifact '\(kind)' of trial \(trial)") {
            try database.run(SQL.deleteArtifact) { s in
                try s.bind(trial, at: 1)
                try s.bind(kind, at: 2)
            }
        }
    }

    public func artifacts(trial: Int) throws -> [ArtifactRecord] {
        try guarded("reading the artifacts of trial \(trial)") {
            try database.query(SQL.artifacts, bind: { try $0.bind(trial, at: 1) }) { s in
                ArtifactRecord(trial: s.int(0), kind: s.string(1), path: s.string(2), bytes: s.int(3),
                               checksum: UInt64(bitPattern: s.int64(4)))
            }
        }
    }

    // MARK: Ensembles

    @discardableResult
    public func putEnsemble(_ record: EnsembleRecord) throws -> Int {
        guard record.id >= 0 else { throw StoreError("\(path): " + StoreMessages.negativeEnsembleID(record.id)) }
        let members = try codec.json(record.members, "ensemble members")
        let weights = try codec.json(record.weights, "ensemble weights")
        return try guarded("recording a '\(record.method)' ensemble") {
            try database.run(SQL.putEnsemble) { s in
                try s.bind(record.id == 0 ? nil : record.id, at: 1)
                try s.bind(record.method, at: 2)
                try s.bind(members, at: 3)
                try s.bind(weights, at: 4)
                try s.bind(record.resultJSON, at: 5)
                try s.bind(RecordCodec.unixSeconds(record.createdAt), at: 6)
            }
            return database.lastInsertRowID
        }
    }

    public func putConfiguration(_ record: ConfigurationRecord) throws {
        try guarded("recording configuration \(record.index)'s repeats") {
            try database.run(SQL.putConfiguration) { s in
                try s.bind(record.index, at: 1)
                try s.bind(record.repeats, at: 2)
                try s.bind(record.mean, at: 3)
                try s.bind(record.standardDeviation, at: 4)
            }
        }
    }

    public func configurations() throws -> [ConfigurationRecord] {
        guard hasConfigurations else { return [] }
        return try guarded("reading the configurations") {
            try database.query(SQL.configurations) { s in
                ConfigurationRecord(index: s.int(0), repeats: s.int(1), mean: s.optionalDouble(2), standardDeviation: s.optionalDouble(3))
            }
        }
    }

    public func ensembles() throws -> [EnsembleRecord] {
        let rows = try guarded("reading the ensembles") {
            try database.query(SQL.ensembles) { s in
                (id: s.int(0), method: s.string(1), members: s.string(2), weights: s.string(3), result: s.string(4), created: s.double(5))
            }
        }
        return try rows.map { row in
            EnsembleRecord(id: row.id, method: row.method,
                           members: try codec.value([Int].self, json: row.members, "\(path): ensemble \(row.id)'s members"),
                           weights: try codec.value([Double].self, json: row.weights, "\(path): ensemble \(row.id)'s weights"),
                           resultJSON: row.result, createdAt: RecordCodec.date(unixSeconds: row.created))
        }
    }

    // MARK: Transactions

    /// BEGIN IMMEDIATE … COMMIT (a read-only store: BEGIN, a consistent snapshot), ROLLBACK when
    /// `body` throws. A nested call is a savepoint: its writes commit with the outermost
    /// transaction, and when its body throws only they are rolled back (then the error goes on).
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let nested = transactionDepth > 0
        try guarded(nested ? "opening a nested transaction" : "opening a transaction") {
            try database.run(nested ? SQL.savepoint : readOnly ? SQL.begin : SQL.beginImmediate)
        }
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        do {
            let value = try body()
            try guarded("committing a transaction") { try database.run(nested ? SQL.release : SQL.commit) }
            return value
        } catch {
            // SQLite may have rolled back by itself (disk full, I/O error): then nothing is open.
            if !database.isAutocommit {
                if nested {
                    try? database.run(SQL.rollbackToSavepoint)
                    try? database.run(SQL.release)
                } else {
                    try? database.run(SQL.rollback)
                }
            }
            throw error
        }
    }

    // MARK: Maintenance

    /// `PRAGMA integrity_check`: "ok" when the file is sound, otherwise SQLite's findings, one a line.
    public func integrityCheck() throws -> String {
        try guarded("checking the store's integrity") {
            try database.query("PRAGMA integrity_check") { $0.string(0) }.joined(separator: "\n")
        }
    }

    /// Copies the WAL into the database file and truncates it (`wal_checkpoint(TRUNCATE)`).
    public func checkpoint() throws {
        try guarded("checkpointing the write-ahead log") { try database.checkpoint(mode: SQLITE_CHECKPOINT_TRUNCATE) }
    }

    // MARK: Errors

    /// Runs `work`, turning SQLite failures into StoreErrors that name the path, the operation and what to do.
    @inline(__always)
    private func guarded<T>(_ operation: @autoclosure () -> String, unknownTrial: @autoclosure () -> String? = nil,
                            _ work: () throws -> T) throws -> T {
        if transactionDepth > 0 && database.isAutocommit {
            // SQLite ended the transaction by itself after an error (I/O, memory) that the body
            // caught: going on would commit the rest of the body write by write.
            throw StoreError("\(path): \(operation()): the transaction was rolled back after an earlier error; let that error end the transaction, then retry")
        }
        do {
            return try work()
        } catch let failure as SQLiteFailure {
            if failure.code == SQLiteFailure.foreignKey, let message = unknownTrial() {
                throw StoreError("\(path): \(message)")
            }
            throw Self.storeError(failure, path: path, operation: operation())
        }
    }

    static func storeError(_ failure: SQLiteFailure, path: String, operation: String) -> StoreError {
        StoreError("\(path): \(operation): \(failure.message): \(advice(for: failure))")
    }

    private static func advice(for failure: SQLiteFailure) -> String {
        switch failure.primaryCode {
        case SQLITE_BUSY, SQLITE_LOCKED:
            "another hpsearch process is writing this run directory; stop it or let it finish, then retry"
        case SQLITE_NOTADB:
            "this file is not an hpsearch store; point hpsearch at a run directory it created, or move the file away"
        case SQLITE_CORRUPT:
            "the store is damaged; recover it with `sqlite3 FILE .recover`, or restore the run directory from a copy"
        case SQLITE_FULL:
            "disk full: free space, then `hpsearch resume`"
        case SQLITE_IOERR:
            "the file system failed to read or write the store; check the disk, then `hpsearch resume`"
        case SQLITE_CANTOPEN:
            "check that the run directory exists and that you may read and write it"
        case SQLITE_READONLY:
            "the store is open read-only (as `hpsearch status` opens it) or its files are not writable; check their permissions"
        case SQLITE_PERM, SQLITE_AUTH:
            "permission denied; check the run directory's permissions"
        case SQLITE_NOMEM:
            "out of memory; free memory, then `hpsearch resume`"
        default:
            "this is a bug in hpsearch; please report it with this message"
        }
    }
}

// MARK: - Inspection for tests (import with `@_spi(Testing) import Storage`)

/// What a prepared statement has cost since it was last inspected (`sqlite3_stmt_status`).
@_spi(Testing) public struct StatementCost: Equatable, Sendable, CustomStringConvertible {
    /// Virtual-machine instructions run: flat when a statement does O(1) work whatever the table sizes.
    public var vmSteps: Int
    /// Forward steps in full-table scans.
    public var fullScanSteps: Int
    /// Sorts (an ORDER BY no index serves).
    public var sorts: Int
    /// Rows put in automatic (temporary) indexes.
    public var autoIndexRows: Int

    public var description: String {
        "\(vmSteps) VM steps, \(fullScanSteps) full-scan steps, \(sorts) sorts, \(autoIndexRows) auto-index rows"
    }
}

extension SQLiteStore {
    /// The SQL behind each Store method (`"appendEpoch"`, `"epochs"`, …).
    @_spi(Testing) public static var operationSQL: [String: String] { SQL.byOperation }

    /// Runs raw SQL (no parameters), bypassing the records: for tests that damage or age a file.
    @_spi(Testing) public func execute(_ sql: String) throws {
        try guarded("running SQL") { try database.execute(sql) }
    }

    /// Every row of `sql`, each column as text (NULL as "NULL").
    @_spi(Testing) public func rows(_ sql: String) throws -> [[String]] {
        try guarded("running SQL") {
            try database.query(sql) { s in
                (0..<s.columnCount).map { s.isNull($0) ? "NULL" : s.string($0) }
            }
        }
    }

    /// The cost of the statement behind `operation` since the last call (counters reset).
    @_spi(Testing) public func cost(of operation: String) throws -> StatementCost {
        guard let sql = SQL.byOperation[operation] else { throw StoreError("no operation '\(operation)'") }
        let statement = try guarded("preparing \(operation)") { try database.statement(sql) }
        return StatementCost(vmSteps: statement.status(SQLITE_STMTSTATUS_VM_STEP, reset: true),
                             fullScanSteps: statement.status(SQLITE_STMTSTATUS_FULLSCAN_STEP, reset: true),
                             sorts: statement.status(SQLITE_STMTSTATUS_SORT, reset: true),
                             autoIndexRows: statement.status(SQLITE_STMTSTATUS_AUTOINDEX, reset: true))
    }
}
