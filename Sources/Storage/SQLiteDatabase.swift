// Database: a thin wrapper over SQLite's C API for SQLiteStore. One connection, prepared
// statements cached by their SQL, binding by index. It throws `SQLiteFailure`s (code and SQLite's
// message); SQLiteStore turns them into `StoreError`s with the path, the operation and advice.
import CSQLite

/// An SQLite result code other than OK/ROW/DONE, with SQLite's message.
struct SQLiteFailure: Error {
    /// The extended result code (`SQLITE_CONSTRAINT_FOREIGNKEY`, `SQLITE_IOERR_WRITE`, …).
    var code: Int32
    var message: String
    /// `SQLITE_BUSY`, `SQLITE_FULL`, `SQLITE_NOTADB`, …
    var primaryCode: Int32 { code & 0xff }

    /// SQLITE_CONSTRAINT_FOREIGNKEY (a macro Swift does not import).
    static let foreignKey: Int32 = SQLITE_CONSTRAINT | (3 << 8)
}

final class Database {
    let path: String
    private let connection: OpaquePointer
    private var statements: [String: Statement] = [:]
    private var recent: [(sql: String, statement: Statement)] = []

    init(path: String, readOnly: Bool, busyTimeoutMilliseconds: Int) throws {
        var connection: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &connection, flags, nil)
        guard rc == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(connection)
            throw SQLiteFailure(code: rc, message: message)
        }
        self.path = path
        self.connection = connection
        sqlite3_extended_result_codes(connection, 1)
        sqlite3_busy_timeout(connection, Int32(clamping: busyTimeoutMilliseconds))
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement.handle) }
        sqlite3_close_v2(connection)
    }

    /// Runs `sql` (one or more statements, no parameters), ignoring any rows.
    func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(connection, sql, nil, nil, &error)
        defer { sqlite3_free(error) }
        if rc != SQLITE_OK {
            throw SQLiteFailure(code: sqlite3_extended_errcode(connection),
                                message: error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(connection)))
        }
    }

    /// The cached prepared statement for `sql` (prepared on first use). The 8 used last are also
    /// kept in a short list searched with `==` before the dictionary: the hot writes pass the
    /// same constant strings, which compare equal at once (same storage), while hashing their
    /// text for every row was 3% of rank 0's time.
    func statement(_ sql: String) throws -> Statement {
        for entry in recent where entry.sql == sql { return entry.statement }
        if let statement = statements[sql] {
            remember(sql, statement)
            return statement
        }
        var handle: OpaquePointer?
        let rc = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard rc == SQLITE_OK, let handle else {
            sqlite3_finalize(handle)
            throw failure(rc)
        }
        let statement = Statement(handle: handle)
        statements[sql] = statement
        remember(sql, statement)
        return statement
    }

    private func remember(_ sql: String, _ statement: Statement) {
        if recent.count == 8 { recent.removeLast() }
        recent.insert((sql, statement), at: 0)
    }

    /// Runs the write `sql` to completion after `bind` binds its parameters.
    func run(_ sql: String, bind: (Statement) throws -> Void = { _ in }) throws {
        let statement = try self.statement(sql)
        defer { statement.reset() }
        try bind(statement)
        while try statement.step() {}
    }

    /// The rows of `sql`, each made by `row` from the statement positioned on it.
    func query<T>(_ sql: String, bind: (Statement) throws -> Void = { _ in }, row: (Statement) throws -> T) throws -> [T] {
        let statement = try self.statement(sql)
        defer { statement.reset() }  // also ends the read transaction, so the WAL can be checkpointed
        try bind(statement)
        var rows: [T] = []
        while try statement.step() { rows.append(try row(statement)) }
        return rows
    }

    /// The first row of `sql`, if any.
    func queryFirst<T>(_ sql: String, bind: (Statement) throws -> Void = { _ in }, row: (Statement) throws -> T) throws -> T? {
        let statement = try self.statement(sql)
        defer { statement.reset() }
        try bind(statement)
        return try statement.step() ? row(statement) : nil
    }

    /// Rows changed by the last INSERT/UPDATE/DELETE.
    var changes: Int { Int(sqlite3_changes64(connection)) }

    var lastInsertRowID: Int { Int(sqlite3_last_insert_rowid(connection)) }

    /// True outside BEGIN…COMMIT (also after SQLite rolled a transaction back by itself).
    var isAutocommit: Bool { sqlite3_get_autocommit(connection) != 0 }

    /// Runs a WAL checkpoint in `mode` (`SQLITE_CHECKPOINT_TRUNCATE`, …).
    func checkpoint(mode: Int32) throws {
        let rc = sqlite3_wal_checkpoint_v2(connection, nil, mode, nil, nil)
        if rc != SQLITE_OK { throw failure(rc) }
    }

    private func failure(_ rc: Int32) -> SQLiteFailure {
        SQLiteFailure(code: sqlite3_extended_errcode(connection), message: String(cString: sqlite3_errmsg(connection)))
    }
}

/// A prepared statement, owned (and finalized) by its Database.
final class Statement {
    let handle: OpaquePointer

    init(handle: OpaquePointer) { self.handle = handle }

    // MARK: Binding (1-based indices, as in SQL's ?1, ?2, …)

    func bind(_ value: Int, at index: Int32) throws {
        try check(sqlite3_bind_int64(handle, index, Int64(value)))
    }

    func bind(_ value: Int64, at index: Int32) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    /// NaN is stored as the text 'NaN': SQLite would store it as NULL, and NOT NULL columns and
    /// optional values need it kept apart from "no value". Infinities are REALs.
    func bind(_ value: Double, at index: Int32) throws {
        if value.isNaN {
            try bind("NaN", at: index)
        } else {
            try check(sqlite3_bind_double(handle, index, value))
        }
    }

    func bind(_ value: String, at index: Int32) throws {
        let count = value.utf8.count
        try check(value.withCString { sqlite3_bind_text64(handle, index, $0, sqlite3_uint64(count), csqlite_transient(), UInt8(SQLITE_UTF8)) })
    }

    func bind(_ value: [UInt8], at index: Int32) throws {
        try check(value.withUnsafeBytes { sqlite3_bind_blob64(handle, index, $0.baseAddress, sqlite3_uint64($0.count), csqlite_transient()) })
    }

    func bindNull(at index: Int32) throws {
        try check(sqlite3_bind_null(handle, index))
    }

    func bind(_ value: Int?, at index: Int32) throws {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    func bind(_ value: Double?, at index: Int32) throws {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    func bind(_ value: String?, at index: Int32) throws {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    // MARK: Stepping

    /// Advances: true when a row is available, false when done.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let rc:
            let connection = sqlite3_db_handle(handle)
            // With sqlite3_prepare_v3 and extended codes on, step returns the extended code itself.
            throw SQLiteFailure(code: rc, message: String(cString: sqlite3_errmsg(connection)))
        }
    }

    /// Ready to run again; bindings are kept (every use rebinds all of them).
    func reset() { sqlite3_reset(handle) }

    // MARK: Columns (0-based)

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func optionalInt(_ column: Int32) -> Int? { isNull(column) ? nil : int(column) }

    /// The REAL in `column`; the text 'NaN' (see `bind(_: Double, at:)`) reads as NaN.
    func double(_ column: Int32) -> Double {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_TEXT, SQLITE_NULL: return .nan
        default: return sqlite3_column_double(handle, column)
        }
    }

    func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }

    func string(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    func optionalString(_ column: Int32) -> String? { isNull(column) ? nil : string(column) }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let bytes = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    var columnCount: Int32 { sqlite3_column_count(handle) }

    // MARK: Status

    func status(_ counter: Int32, reset: Bool) -> Int {
        Int(sqlite3_stmt_status(handle, counter, reset ? 1 : 0))
    }

    private func check(_ rc: Int32) throws {
        if rc != SQLITE_OK {
            throw SQLiteFailure(code: rc, message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))))
        }
    }
}
