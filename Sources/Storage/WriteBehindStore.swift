// WriteBehindStore: a store whose group commits are written on a second thread while the caller
// goes on (rank 0's coordinator records the next batch of epoch reports while SQLite commits the
// last one).
import Dispatch
import Search

/// Wraps a store so that the writes of a `batch` are recorded in memory and committed to the
/// wrapped store as one transaction on a background thread after the batch's body returns, while
/// the caller goes on; everything else passes straight through.
///
/// Why: at 10,000 simulated workers two thirds of rank 0's time was SQLite (B-tree, WAL, the
/// kernel's writes) and a third its own decisions, one after the other on one core. Written
/// behind, they overlap on two cores, and the batches grow to what the writer keeps up with: a
/// batch whose body returns while the writer still commits the last one waits, recorded, and goes
/// with the next (up to `maxCarried` writes), so the writer commits fewer, larger transactions,
/// which rewrite each touched page once instead of once per batch. (`hpsearch simulate`, 10,000
/// workers, ASHA: 1.9× the reports per second of committing each batch in the caller's thread,
/// medians of 3 interleaved runs.)
///
/// Contract (beyond `Store`'s, which it keeps outside `batch`):
/// - At most one batch is in flight. Any other call — a read, a write outside a batch, a new
///   batch's hand-off, `flush` — first waits for it (blocking, no spinning), so the wrapped store
///   is used from one thread at a time and every read sees every write made before it.
/// - Inside a batch, writes are recorded, not run, and throw nothing; the batch's body sees the
///   store as if they had been made: a read inside it first commits what was recorded so far
///   (synchronously, as one transaction) and then reads.
/// - The store ends up as if each write had been made when it was recorded. A batch's recorded
///   writes commit together or not at all. When the body throws, the writes it recorded since
///   the last read are dropped (those a read committed stay), and the error is rethrown; a nested
///   `transaction` or `batch` inside a batch drops only its own on throwing.
/// - A crash (or kill) loses the writes not yet committed: those recorded since the batch in
///   flight was handed off, and that batch's own, unless it committed.
/// - When a batch fails to commit (its first failing write's error; the batch is rolled back,
///   earlier batches stand), that error is thrown by the next call, and by every call after it:
///   the caller's view of what is stored is no longer true, so it must stop (a resume re-reads
///   the store).
/// - A batch inside a `transaction` of this store runs inside it, synchronously.
public final class WriteBehindStore: Store {
    /// The store written to.
    public let base: any Store

    private typealias Write = (any Store) throws -> Void
    /// Writes recorded by the open batch, in order.
    private var recorded: [Write] = []
    /// Open `batch` calls (0: not recording).
    private var batchDepth = 0
    /// Open `transaction` calls on the wrapped store (outside any batch).
    private var baseDepth = 0
    /// Writes of earlier batches still recorded (their bodies returned while the writer was busy):
    /// the start of the open batch's own in `recorded`.
    private var carried = 0
    /// At most this many writes wait for a busy writer; past it, a batch's hand-off waits.
    static let maxCarried = 1 << 17
    /// Where each open nested transaction inside the batch began in `recorded`.
    private var marks: [Int] = []
    private let queue = DispatchQueue(label: "hpsearch.store.write-behind")
    /// Signalled by the writer when the batch in flight is committed (or failed).
    private var inFlight: DispatchSemaphore?
    /// The error of a batch that failed to commit (sticky; see the contract).
    private var failure: (any Error)?
    /// Set by the writer thread, read after waiting for it.
    private let box = FailureBox()

    private final class FailureBox: @unchecked Sendable { var error: (any Error)? }
    private struct Job: @unchecked Sendable {
        var store: any Store
        var writes: [Write]
        var box: FailureBox
    }

    public init(_ base: any Store) { self.base = base }

    /// Commits what is still recorded (errors are lost here: call `flush` first).
    deinit { _ = try? flush() }

    /// Waits until every recorded write of the batches that returned is committed; throws the
    /// error of one that failed.
    public func flush() throws {
        try wait()
        if batchDepth == 0 { try commitRecorded() }
    }

    /// Commits what is recorded now, in this thread; a failure is sticky, as the writer thread's.
    private func commitRecorded() throws {
        guard !recorded.isEmpty else { return }
        do {
            try Self.apply(takeRecorded(), to: base)
        } catch {
            failure = error
            throw error
        }
    }

    /// The recorded writes, which are no longer recorded (nor any nested transaction's).
    private func takeRecorded() -> [Write] {
        defer {
            recorded.removeAll()
            carried = 0
            for i in marks.indices { marks[i] = 0 }
        }
        return recorded
    }

    /// `writes` as one transaction of `store`.
    private static func apply(_ writes: [Write], to store: any Store) throws {
        try store.transaction { for w in writes { try w(store) } }
    }

    /// Waits for the batch in flight, then throws the error of any batch that failed.
    private func wait() throws {
        inFlight?.wait()
        try finished()
    }

    /// True when no batch is in flight any more, without waiting; throws the error of any batch
    /// that failed.
    private func writerIsFree() throws -> Bool {
        if let done = inFlight, done.wait(timeout: .now()) == .timedOut { return false }
        try finished()
        return true
    }

    /// Called once the batch in flight (if any) is known to be done: takes its error.
    private func finished() throws {
        if inFlight != nil {
            inFlight = nil
            if let error = box.error, failure == nil { failure = error }
        }
        if let failure { throw failure }
    }

    /// Runs `body` recording its writes, then hands them to the writer thread as one transaction
    /// and returns without waiting for it (see the type's contract).
    public func batch<T>(_ body: () throws -> T) throws -> T {
        if baseDepth > 0 { return try base.transaction(body) }
        if batchDepth > 0 { return try nested(body) }
        if let failure { throw failure }
        batchDepth = 1
        defer { batchDepth = 0 }
        let value: T
        do {
            value = try body()
        } catch {
            recorded.removeSubrange(min(carried, recorded.count)...)
            marks.removeAll()
            throw error
        }
        marks.removeAll()
        carried = recorded.count
        guard !recorded.isEmpty else { return value }
        // A busy writer: these writes wait for the next hand-off (the batches grow to what the
        // writer keeps up with), up to a bound.
        if carried >= Self.maxCarried { try wait() } else if try !writerIsFree() { return value }
        dispatch()
        return value
    }

    /// Hands the writes that wait for a busy writer to it once it is free, without waiting: the
    /// loops call it between messages, so that such writes are committed soon after the writer
    /// is free even when no batch follows (a quiet spell), not at the next batch.
    public func handOff() throws {
        guard batchDepth == 0, baseDepth == 0, !recorded.isEmpty, try writerIsFree() else { return }
        dispatch()
    }

    /// Sends what is recorded to the writer thread (none may be in flight).
    private func dispatch() {
        box.error = nil
        let job = Job(store: base, writes: takeRecorded(), box: box)
        let done = DispatchSemaphore(value: 0)
        queue.async {
            defer { done.signal() }
            do {
                try Self.apply(job.writes, to: job.store)
            } catch {
                job.box.error = error
            }
        }
        inFlight = done
    }

    /// A nested transaction or batch inside a batch: drops only its own writes when it throws.
    private func nested<T>(_ body: () throws -> T) throws -> T {
        marks.append(recorded.count)
        defer { marks.removeLast() }
        do {
            return try body()
        } catch {
            // A read inside may have committed part of it already: drop only what is still recorded.
            let mark = min(marks.last ?? 0, recorded.count)
            recorded.removeSubrange(mark...)
            throw error
        }
    }

    /// A write: recorded inside a batch, made at once outside one.
    private func write(_ w: @escaping Write) throws {
        if batchDepth > 0 {
            if let failure { throw failure }
            recorded.append(w)
        } else {
            try flush()
            try w(base)
        }
    }

    /// Before a read (or a write whose result the caller needs): the batch in flight is waited
    /// for, and inside a batch what it recorded so far is committed.
    private func settle() throws {
        try wait()
        try commitRecorded()
    }

    private func read<T>(_ r: () throws -> T) throws -> T {
        try settle()
        return try r()
    }

    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if batchDepth > 0 { return try nested(body) }
        try flush()
        baseDepth += 1
        defer { baseDepth -= 1 }
        return try base.transaction(body)
    }

    public func setSweep(_ sweep: SweepRecord) throws { try write { try $0.setSweep(sweep) } }
    public func upsertTrial(_ trial: TrialRecord) throws { try write { try $0.upsertTrial(trial) } }
    public func appendEpoch(_ epoch: EpochRecord) throws { try write { try $0.appendEpoch(epoch) } }
    public func appendEpochs(_ epochs: [EpochRecord]) throws { try write { try $0.appendEpochs(epochs) } }
    public func appendHealth(_ health: EpochHealth) throws { try write { try $0.appendHealth(health) } }
    public func putArtifact(_ artifact: ArtifactRecord) throws { try write { try $0.putArtifact(artifact) } }
    public func deleteArtifact(trial: Int, kind: String) throws { try write { try $0.deleteArtifact(trial: trial, kind: kind) } }
    public func putConfiguration(_ record: ConfigurationRecord) throws { try write { try $0.putConfiguration(record) } }
    /// Its id is needed at once: made synchronously, after what was recorded.
    @discardableResult public func putEnsemble(_ record: EnsembleRecord) throws -> Int { try read { try base.putEnsemble(record) } }

    public func sweep() throws -> SweepRecord? { try read { try base.sweep() } }
    public func trial(_ index: Int) throws -> TrialRecord? { try read { try base.trial(index) } }
    public func trials() throws -> [TrialRecord] { try read { try base.trials() } }
    public func epochs(trial: Int) throws -> [EpochRecord] { try read { try base.epochs(trial: trial) } }
    public func allEpochs() throws -> [EpochRecord] { try read { try base.allEpochs() } }
    public func health(trial: Int) throws -> [EpochHealth] { try read { try base.health(trial: trial) } }
    public func allHealth() throws -> [EpochHealth] { try read { try base.allHealth() } }
    public func artifacts(trial: Int) throws -> [ArtifactRecord] { try read { try base.artifacts(trial: trial) } }
    public func ensembles() throws -> [EnsembleRecord] { try read { try base.ensembles() } }
    public func configurations() throws -> [ConfigurationRecord] { try read { try base.configurations() } }
}
