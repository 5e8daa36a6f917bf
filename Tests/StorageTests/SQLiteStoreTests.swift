// SQLiteStore beyond the contract: the file (schema, versions, reopening, damage), readers beside
// the writer, errors that say what to do, and per-write cost that does not grow with the tables.
import Foundation
import Search
@_spi(Testing) import Storage
import TestSupport
import XCTest

final class SQLiteStoreTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var path: String!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "hpsearch-sqlite-store")
        path = directory.file("hpsearch.db").path
    }

    override func tearDown() {
        directory = nil
    }

    // MARK: The file

    /// A bit of everything, including a transaction that rolls back.
    private func populate(_ store: Store) throws {
        try store.setSweep(Fixture.sweep)
        try store.transaction {
            for index in [3, 0, 1] {
                try store.upsertTrial(Fixture.fullTrial(index, state: index == 1 ? .running : .completed))
                for epoch in 1...4 { try store.appendEpoch(Fixture.epoch(trial: index, epoch)) }
                try store.putArtifact(Fixture.artifact(trial: index, "checkpoint", checksum: UInt64.max - UInt64(index)))
            }
        }
        try store.upsertTrial(Fixture.trial(2, state: .lost))
        try store.appendEpoch(Fixture.epoch(trial: 1, 2, loss: 0.5))
        try store.putArtifact(Fixture.artifact(trial: 3, "validation_predictions"))
        try store.putEnsemble(Fixture.ensemble())
        try store.putEnsemble(Fixture.ensemble(id: 7, method: "distilled", members: [3]))
        try store.appendHealth(Fixture.health(trial: 3, 0))
        try store.appendHealth(Fixture.health(trial: 3, 1))
        _ = try? store.transaction {
            try store.upsertTrial(Fixture.trial(9))
            throw Abort()
        }
    }

    func testReopenedFileReadsBackWhatTheInMemoryStoreHolds() throws {
        let memory = InMemoryStore()
        try populate(memory)
        let expected = try Snapshot(memory)
        XCTAssertEqual(expected.trials.count, 4)
        XCTAssertEqual(expected.epochs.count, 12)

        do {
            let store = try SQLiteStore(path: path)
            try populate(store)
            XCTAssertEqual(try Snapshot(store), expected, "same answers, bit for bit, as InMemoryStore")
        }  // closed here (deinit)

        XCTAssertEqual(try Snapshot(SQLiteStore(path: path)), expected)
        XCTAssertEqual(try Snapshot(SQLiteStore(path: path, readOnly: true)), expected)
        assertSame(try SQLiteStore(path: path).trial(0), Fixture.fullTrial(0))
    }

    func testANewFileGetsTheCurrentSchema() throws {
        let store = try SQLiteStore(path: path)
        XCTAssertEqual(SQLiteStore.schemaVersion, 4)
        XCTAssertEqual(try store.storedSchemaVersion(), SQLiteStore.schemaVersion)
        XCTAssertEqual(try store.rows("SELECT key, value FROM meta"), [["schema_version", "4"]])
        XCTAssertEqual(try store.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map { $0[0] },
                       ["artifacts", "configurations", "ensembles", "epoch_probes", "epochs", "layer_health", "meta", "sweeps", "trials"])
        XCTAssertEqual(try store.rows("SELECT name FROM sqlite_master WHERE type = 'index'"), [],
                       "no indexes beyond the tables' primary keys")
        XCTAssertEqual(try store.rows("PRAGMA journal_mode"), [["wal"]])
        XCTAssertEqual(try store.rows("PRAGMA synchronous"), [["1"]], "NORMAL")
        XCTAssertEqual(try store.rows("PRAGMA foreign_keys"), [["1"]])
        XCTAssertEqual(try store.rows("PRAGMA busy_timeout"), [["5000"]])
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }

    func testAnEmptyFileIsMigratedFromVersionZero() throws {
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data()))
        assertStoreError(try SQLiteStore(path: path, readOnly: true), contains: path, "no hpsearch store here (an empty database)")
        let store = try SQLiteStore(path: path)
        XCTAssertEqual(try store.storedSchemaVersion(), 4)
        try store.upsertTrial(Fixture.trial(0))
        XCTAssertEqual(try SQLiteStore(path: path, readOnly: true).trials().count, 1)
    }

    /// A store written before epochs carried metrics (schema 1): read as it is when opened
    /// read-only (status, report, export on an old run directory), upgraded in place when opened
    /// read-write, its epochs kept.
    func testASchema1StoreIsReadReadOnlyAndUpgradedReadWrite() throws {
        let store = try SQLiteStore(path: path)
        try store.upsertTrial(Fixture.trial(0))
        let old = Fixture.epoch(trial: 0, 1)
        try store.appendEpoch(old)
        try store.execute("ALTER TABLE epochs DROP COLUMN metrics; DROP TABLE layer_health; DROP TABLE epoch_probes; DROP TABLE configurations")
        try store.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        XCTAssertEqual(try SQLiteStore(path: path, readOnly: true).allEpochs(), [old])
        XCTAssertEqual(try SQLiteStore(path: path, readOnly: true).epochs(trial: 0), [old])
        let upgraded = try SQLiteStore(path: path)
        XCTAssertEqual(try upgraded.storedSchemaVersion(), SQLiteStore.schemaVersion)
        XCTAssertEqual(try upgraded.allEpochs(), [old])
        var binary = Fixture.epoch(trial: 0, 2)
        binary.metrics = ["val_auc": 0.75]
        try upgraded.appendEpoch(binary)
        XCTAssertEqual(try SQLiteStore(path: path, readOnly: true).allEpochs(), [old, binary])
    }

    func testASchema2StoreIsReadReadOnlyWithoutHealth() throws {
        let store = try SQLiteStore(path: path)
        try store.upsertTrial(Fixture.trial(0))
        try store.appendEpoch(Fixture.epoch(trial: 0, 1))
        try store.execute("DROP TABLE layer_health; DROP TABLE epoch_probes; DROP TABLE configurations; UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        let old = try SQLiteStore(path: path, readOnly: true)
        XCTAssertEqual(try old.allEpochs().count, 1)
        XCTAssertEqual(try old.allHealth().count, 0)
        XCTAssertEqual(try old.health(trial: 0).count, 0)
        XCTAssertEqual(try old.configurations(), [], "no configurations table before schema 4: read as none")
        let upgraded = try SQLiteStore(path: path)
        try upgraded.appendHealth(Fixture.health(trial: 0, 0))
        try upgraded.putConfiguration(ConfigurationRecord.of(index: 0, values: [0.5]))
        XCTAssertEqual(try SQLiteStore(path: path, readOnly: true).configurations().count, 1)
        XCTAssertEqual(try SQLiteStore(path: path, readOnly: true).health(trial: 0).map { $0.encoded() }, [Fixture.health(trial: 0, 0).encoded()])
    }

    func testAFileFromANewerHPSearchIsRefused() throws {
        try SQLiteStore(path: path).execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
        for readOnly in [false, true] {
            XCTAssertThrowsError(try SQLiteStore(path: path, readOnly: readOnly)) { error in
                XCTAssertEqual(error as? StoreError,
                               StoreError("\(path!): run directory was written by a newer hpsearch (schema 5 > 4); upgrade hpsearch"))
            }
        }
    }

    func testAFileThatIsNotADatabaseGivesAClearError() throws {
        let text = Data(String(repeating: "name: not-a-database\n", count: 200).utf8)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: text))
        for readOnly in [false, true] {
            assertStoreError(try SQLiteStore(path: path, readOnly: readOnly),
                             contains: path, "opening the store", "file is not a database", "not an hpsearch store")
        }
        XCTAssertEqual(FileManager.default.contents(atPath: path), text, "the file is left as it was")
    }

    func testAnotherSQLiteDatabaseIsRefused() throws {
        try SQLiteStore(path: path).execute("DROP TABLE meta")
        assertStoreError(try SQLiteStore(path: path), contains: path, "not an hpsearch store (it has no meta table)")
    }

    func testAMissingSchemaVersionIsReportedAsDamage() throws {
        try SQLiteStore(path: path).execute("DELETE FROM meta")
        assertStoreError(try SQLiteStore(path: path), contains: path, "no schema_version", "damaged")
    }

    func testOpeningAMissingFileReadOnlySaysSo() throws {
        assertStoreError(try SQLiteStore(path: path, readOnly: true), contains: path, "no hpsearch store here")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "a reader creates nothing")
        assertStoreError(try SQLiteStore(path: directory.file("no/such/dir.db").path),
                         contains: "unable to open database file", "check that the run directory exists")
    }

    // MARK: Readers and writers

    func testAReaderSeesCommittedRowsWhileTheWriterHoldsATransaction() throws {
        let writer = try SQLiteStore(path: path)
        try writer.upsertTrial(Fixture.trial(0, state: .running))
        try writer.appendEpoch(Fixture.epoch(trial: 0, 1))
        // No busy wait: were the reader blocked, it would fail at once instead of passing late.
        let reader = try SQLiteStore(path: path, readOnly: true, busyTimeoutMilliseconds: 0)

        try writer.transaction {
            try writer.appendEpoch(Fixture.epoch(trial: 0, 2))
            try writer.upsertTrial(Fixture.trial(1, state: .running))
            XCTAssertEqual(try reader.epochs(trial: 0), [Fixture.epoch(trial: 0, 1)])
            XCTAssertEqual(try reader.trials().map(\.index), [0])
            XCTAssertEqual(try writer.trials().map(\.index), [0, 1], "the writer sees its own writes")
        }
        XCTAssertEqual(try reader.epochs(trial: 0), [Fixture.epoch(trial: 0, 1), Fixture.epoch(trial: 0, 2)])
        XCTAssertEqual(try reader.trials().map(\.index), [0, 1])
    }

    func testAReadOnlyTransactionIsASnapshot() throws {
        let writer = try SQLiteStore(path: path)
        try writer.upsertTrial(Fixture.trial(0))
        let reader = try SQLiteStore(path: path, readOnly: true, busyTimeoutMilliseconds: 0)
        try reader.transaction {
            XCTAssertEqual(try reader.trials().count, 1)
            try writer.upsertTrial(Fixture.trial(1))
            try writer.appendEpoch(Fixture.epoch(trial: 1, 1))
            XCTAssertEqual(try reader.trials().count, 1, "trials and epochs read alike within one snapshot")
            XCTAssertEqual(try reader.allEpochs().count, 0)
        }
        XCTAssertEqual(try reader.trials().count, 2)
    }

    func testAReaderCannotWrite() throws {
        try SQLiteStore(path: path).upsertTrial(Fixture.trial(0))
        let reader = try SQLiteStore(path: path, readOnly: true)
        assertStoreError(try reader.upsertTrial(Fixture.trial(1)), contains: path, "recording trial 1", "readonly", "open read-only")
        assertStoreError(try reader.appendEpoch(Fixture.epoch(trial: 0, 1)), contains: "readonly")
    }

    func testASecondWriterIsToldTheRunDirectoryIsBusy() throws {
        let first = try SQLiteStore(path: path)
        let second = try SQLiteStore(path: path, busyTimeoutMilliseconds: 50)
        try first.transaction {
            try first.upsertTrial(Fixture.trial(0))
            assertStoreError(try second.upsertTrial(Fixture.trial(1)),
                             contains: path, "recording trial 1",
                             "database is locked: another hpsearch process is writing this run directory")
            assertStoreError(try second.transaction { try second.upsertTrial(Fixture.trial(1)) }, contains: "database is locked")
        }
        try second.upsertTrial(Fixture.trial(1))
        XCTAssertEqual(try first.trials().map(\.index), [0, 1])
    }

    // MARK: Failures mid-run

    func testAFullDiskRollsBackAndSaysWhatToDo() throws {
        let store = try SQLiteStore(path: path)
        try store.upsertTrial(Fixture.trial(0))
        try store.appendEpoch(Fixture.epoch(trial: 0, 1))
        let pages = try XCTUnwrap(Int(store.rows("PRAGMA page_count")[0][0]))
        _ = try store.rows("PRAGMA max_page_count = \(pages + 2)")  // this connection only: a nearly full disk

        XCTAssertThrowsError(try store.transaction {
            for epoch in 2...5_000 { try store.appendEpoch(Fixture.epoch(trial: 0, epoch)) }
        }) { error in
            let message = (error as? StoreError)?.message ?? "\(error)"
            XCTAssertTrue(message.contains(path), message)
            XCTAssertTrue(message.contains("disk full: free space, then `hpsearch resume`"), message)
        }
        XCTAssertEqual(try store.allEpochs(), [Fixture.epoch(trial: 0, 1)], "nothing of the failed transaction")
        XCTAssertEqual(try store.integrityCheck(), "ok")
        try store.appendEpoch(Fixture.epoch(trial: 0, 2))
        XCTAssertEqual(try store.allEpochs().count, 2, "the store works once there is room")
    }

    func testNoWriteSlipsPastATransactionThatSQLiteEnded() throws {
        // SQLite rolls a transaction back by itself after some errors (I/O, out of memory); a body
        // that catches the error must not go on committing write by write.
        let store = try SQLiteStore(path: path)
        try store.upsertTrial(Fixture.trial(0))
        XCTAssertThrowsError(try store.transaction {
            try store.appendEpoch(Fixture.epoch(trial: 0, 1))
            try store.execute("ROLLBACK")  // what SQLite does after such an error
            try store.appendEpoch(Fixture.epoch(trial: 0, 2))
        }) { error in
            let message = (error as? StoreError)?.message ?? "\(error)"
            XCTAssertTrue(message.contains("recording epoch 2 of trial 0: the transaction was rolled back after an earlier error"), message)
        }
        XCTAssertEqual(try store.allEpochs(), [])
        try store.transaction { try store.appendEpoch(Fixture.epoch(trial: 0, 3)) }
        XCTAssertEqual(try store.allEpochs().map(\.epoch), [3], "transactions work again")
    }

    func testIntegrityCheckAndCheckpoint() throws {
        let store = try SQLiteStore(path: path)
        try populate(store)
        XCTAssertEqual(try store.integrityCheck(), "ok")
        let wal = path + "-wal"
        XCTAssertGreaterThan(try XCTUnwrap(FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int), 0)
        try store.checkpoint()
        XCTAssertEqual(try XCTUnwrap(FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int), 0, "WAL truncated")
        XCTAssertEqual(try SQLiteStore(path: path, readOnly: true).trials().count, 4)
    }

    // MARK: Cost per write

    func testPerWriteCostDoesNotGrowWithTheTables() throws {
        let store = try SQLiteStore(path: path)
        func measure(_ operation: String, _ body: () throws -> Void) throws -> StatementCost {
            _ = try store.cost(of: operation)  // resets the counters
            try body()
            return try store.cost(of: operation)
        }
        func costs() throws -> [String: StatementCost] {
            let next = try (store.trials().last?.index ?? -1) + 1  // a new trial
            return [
                "insert trial": try measure("upsertTrial") { try store.upsertTrial(Fixture.trial(next)) },
                "update trial": try measure("upsertTrial") { try store.upsertTrial(Fixture.fullTrial(0)) },
                "insert epoch": try measure("appendEpoch") { try store.appendEpoch(Fixture.epoch(trial: next, 1)) },
                "replace epoch": try measure("appendEpoch") { try store.appendEpoch(Fixture.epoch(trial: 0, 1, loss: 1)) },
                "insert artifact": try measure("putArtifact") { try store.putArtifact(Fixture.artifact(trial: 0, "checkpoint-\(next)")) },
                "replace artifact": try measure("putArtifact") { try store.putArtifact(Fixture.artifact(trial: 0, "checkpoint")) },
                "read trial": try measure("trial") { _ = try store.trial(0) },
                "read epochs": try measure("epochs") { _ = try store.epochs(trial: 0) },
            ]
        }

        try store.upsertTrial(Fixture.trial(0))
        try store.appendEpoch(Fixture.epoch(trial: 0, 1))
        try store.putArtifact(Fixture.artifact(trial: 0, "checkpoint"))
        let small = try costs()

        try store.transaction {
            for trial in 100..<300 {
                try store.upsertTrial(Fixture.trial(trial, state: .running))
                for epoch in 1...100 { try store.appendEpoch(Fixture.epoch(trial: trial, epoch)) }
            }
        }
        XCTAssertEqual(try store.rows("SELECT count(*) FROM epochs"), [["20002"]])
        XCTAssertEqual(try store.rows("SELECT count(*) FROM trials"), [["202"]])
        XCTAssertEqual(try store.allEpochs().count, 20_002)
        let large = try costs()

        for (name, cost) in small {
            XCTAssertEqual(large[name], cost, "\(name): its cost grew with 20,000 epochs in the store")
            XCTAssertEqual(cost.fullScanSteps, 0, "\(name) scans a table")
            XCTAssertEqual(cost.sorts, 0, "\(name) sorts")
            XCTAssertEqual(cost.autoIndexRows, 0, "\(name) builds an index")
        }
    }

    func testReadsUseThePrimaryKeysAndWritesDoNotLoop() throws {
        let store = try SQLiteStore(path: path)
        func plan(_ operation: String) throws -> String {
            try store.rows("EXPLAIN QUERY PLAN " + XCTUnwrap(SQLiteStore.operationSQL[operation])).map { $0[3] }.joined(separator: "; ")
        }
        let expected = [
            "trial": "SEARCH trials USING INTEGER PRIMARY KEY (rowid=?)",
            "sweep": "SEARCH sweeps USING INTEGER PRIMARY KEY (rowid=?)",
            "epochs": "SEARCH epochs USING PRIMARY KEY (trial=?)",
            "artifacts": "SEARCH artifacts USING PRIMARY KEY (trial=?)",
            "health": "SEARCH layer_health USING PRIMARY KEY (trial=?)",
            "healthProbes": "SEARCH epoch_probes USING PRIMARY KEY (trial=?)",
            // Replacing an epoch's layers visits that epoch's rows only.
            "appendHealthDelete": "SEARCH layer_health USING PRIMARY KEY (trial=? AND epoch=?)",
        ]
        for (operation, search) in expected {
            let plan = try plan(operation)
            XCTAssertTrue(plan.contains(search), "\(operation): \(plan)")
        }
        for operation in ["trial", "sweep", "epochs", "artifacts", "trials", "allEpochs", "ensembles", "health", "healthProbes", "allHealth", "allHealthProbes"] {
            let plan = try plan(operation)
            XCTAssertFalse(plan.contains("TEMP B-TREE"), "\(operation) sorts: \(plan)")
            XCTAssertFalse(plan.contains("AUTOMATIC"), "\(operation) builds an index: \(plan)")
        }

        // A write's program has no loop over a table: O(1) B-tree seeks only.
        let loops: Set<String> = ["Rewind", "Last", "Next", "Prev", "SorterSort", "SorterNext"]
        for operation in ["setSweep", "upsertTrial", "appendEpoch", "putArtifact", "putEnsemble", "appendHealth", "appendHealthProbe"] {
            let opcodes = try store.rows("EXPLAIN " + XCTUnwrap(SQLiteStore.operationSQL[operation])).map { $0[1] }
            XCTAssertEqual(Set(opcodes).intersection(loops), [], "\(operation) loops: \(opcodes)")
        }
    }

    // MARK: Benchmark helper

    func testTheBenchmarkHelperRecordsWhatItTimes() throws {
        let memoryRate = try StoreBenchmark.epochWrites(store: InMemoryStore(), count: 250)
        XCTAssertTrue(memoryRate.isFinite && memoryRate > 0)

        let store = try SQLiteStore(path: path)
        try store.upsertTrial(Fixture.trial(4))
        let rate = try StoreBenchmark.epochWrites(store: store, count: 250, transactionSize: 100)
        XCTAssertTrue(rate.isFinite && rate > 0)
        XCTAssertEqual(try store.trials().map(\.index), [4, 5, 6, 7], "new trials after the store's last")
        XCTAssertEqual(try store.allEpochs().count, 250)
        XCTAssertEqual(try store.epochs(trial: 7).count, 50)
    }
}
