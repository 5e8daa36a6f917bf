// MPICommunicator: Open MPI point-to-point, polled (MPI_Improbe + a short sleep) so that a
// waiting rank costs ~2% of a core instead of the 100% a blocking MPI_Recv spins. Nothing
// blocks on one peer: messages are received with MPI_Imrecv and sent with MPI_Isend, and each
// poll tests what is still in flight, so a rank whose host vanished half-way through a large
// message (its link cut) holds up only its own messages, never rank 0's loop. MPI is initialised
// at MPI_THREAD_SERIALIZED and every call holds a lock, so a worker's heartbeat thread may send
// while its main thread trains or polls.
import CMPI
import Foundation

public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    private static let tag: Int32 = 7
    /// Serialises MPI calls (MPI_THREAD_SERIALIZED: one thread at a time).
    private let lock = NSLock()
    /// True when MPI granted MPI_THREAD_SERIALIZED or more.
    public let allowsConcurrentSend: Bool
    /// Sends that MPI has not finished, oldest first (their buffers must live until then).
    private var sending: [Transfer] = []
    /// Messages matched with MPI_Improbe, in matching order, some still arriving.
    private var receiving: [Transfer] = []

    /// True when this process was started by mpirun/mpiexec (Open MPI sets these variables).
    public static var launchedByMPI: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["OMPI_COMM_WORLD_SIZE"] != nil || env["PMIX_RANK"] != nil || env["PMI_RANK"] != nil
    }

    /// Initialises MPI (once per process, from the main thread).
    public init() throws {
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        var provided: Int32 = 0
        if initialized == 0 {
            guard MPI_Init_thread(nil, nil, cmpi_thread_serialized(), &provided) == MPI_SUCCESS else {
                throw CommunicatorError("MPI_Init failed: is Open MPI installed (apt-get install openmpi-bin)?")
            }
        } else {
            MPI_Query_thread(&provided)
        }
        allowsConcurrentSend = provided >= cmpi_thread_serialized()
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(cmpi_comm_world(), &r)
        MPI_Comm_size(cmpi_comm_world(), &s)
        rank = Int(r)
        size = Int(s)
    }

    public func send(_ message: Message, to rank: Int) throws {
        let bytes = try message.encoded()
        guard bytes.count < Int(Int32.max) else { throw CommunicatorError("message of \(bytes.count) bytes is over MPI's 2 GiB limit") }
        // MPI_Isend reads the buffer until the request completes: a copy that lives as long.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        lock.lock()
        defer { lock.unlock() }
        var request = cmpi_request_null()
        let rc = MPI_Isend(buffer.baseAddress, Int32(bytes.count), cmpi_byte(), Int32(rank), Self.tag, cmpi_comm_world(), &request)
        guard rc == MPI_SUCCESS else {
            buffer.deallocate()
            throw CommunicatorError("MPI_Isend to rank \(rank) failed (code \(rc))")
        }
        sending.append(Transfer(peer: Int32(rank), buffer: buffer, count: bytes.count, request: request))
        progressSends()
    }

    public func poll() throws -> (source: Int, message: Message)? {
        let received: (Int32, [UInt8])?
        do {
            lock.lock()
            defer { lock.unlock() }
            progressSends()
            received = try nextReceived()
        }
        guard let (source, bytes) = received else { return nil }
        return (Int(source), try Message.decode(bytes))
    }

    /// Sends not yet complete: their peer has not taken all of the message (a large one waits
    /// for the receiver; one to a rank that is gone never completes).
    public var pendingSends: Int {
        lock.lock()
        defer { lock.unlock() }
        return sending.count
    }

    /// One message's buffer and request; `done` once MPI_Test says it completed.
    private final class Transfer {
        let peer: Int32
        let buffer: UnsafeMutableRawBufferPointer
        let count: Int
        var request: MPI_Request?
        var done = false
        init(peer: Int32, buffer: UnsafeMutableRawBufferPointer, count: Int, request: MPI_Request?) {
            self.peer = peer
            self.buffer = buffer
            self.count = count
            self.request = request
        }

        /// Tests the request once (which also drives MPI's progress); true once complete.
        func test(_ what: String) throws -> Bool {
            if done { return true }
            var flag: Int32 = 0
            let rc = MPI_Test(&request, &flag, cmpi_status_ignore())
            guard rc == MPI_SUCCESS else { throw CommunicatorError("MPI_Test of a \(what) rank \(peer) failed (code \(rc))") }
            done = flag != 0
            return done
        }
    }

    /// Tests every unfinished send and frees the finished ones (the caller holds the lock). A
    /// send that MPI reports failed is dropped: `send` returned long ago, its peer is gone, and
    /// rank 0 learns that from the missing heartbeats, not from an error in an unrelated poll.
    private func progressSends() {
        guard !sending.isEmpty else { return }
        var kept: [Transfer] = []
        for transfer in sending {
            if (try? transfer.test("send to")) ?? true { transfer.buffer.deallocate() } else { kept.append(transfer) }
        }
        sending = kept
    }

    /// The next message that has wholly arrived, in the order MPI matched them for each sender
    /// (FIFO per pair), without waiting for any (the caller holds the lock).
    ///
    /// Messages are matched with MPI_Improbe and received with MPI_Imrecv, never a blocking
    /// MPI_Recv: a large message whose sender stops half-way (its host lost its link, or it is
    /// stopped) stays pending while every other rank's messages are delivered.
    private func nextReceived() throws -> (Int32, [UInt8])? {
        if let ready = try takeArrived() { return ready }
        while true {
            var flag: Int32 = 0
            var matched = cmpi_message_null()
            var status = MPI_Status()
            guard MPI_Improbe(MPI_ANY_SOURCE, Self.tag, cmpi_comm_world(), &flag, &matched, &status) == MPI_SUCCESS else {
                throw CommunicatorError("MPI_Improbe failed")
            }
            guard flag != 0 else { return nil }
            var count: Int32 = 0
            MPI_Get_count(&status, cmpi_byte(), &count)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(Int(count), 1), alignment: 16)
            var request = cmpi_request_null()
            let rc = MPI_Imrecv(buffer.baseAddress, count, cmpi_byte(), &matched, &request)
            guard rc == MPI_SUCCESS else {
                buffer.deallocate()
                throw CommunicatorError("MPI_Imrecv from rank \(status.MPI_SOURCE) failed (code \(rc))")
            }
            receiving.append(Transfer(peer: status.MPI_SOURCE, buffer: buffer, count: Int(count), request: request))
            if let ready = try takeArrived() { return ready }
        }
    }

    /// Removes and returns the first complete message whose sender has no earlier one still
    /// arriving.
    private func takeArrived() throws -> (Int32, [UInt8])? {
        var waiting = Set<Int32>()
        for (i, transfer) in receiving.enumerated() where !waiting.contains(transfer.peer) {
            guard try transfer.test("receive from") else {
                waiting.insert(transfer.peer)
                continue
            }
            receiving.remove(at: i)
            let bytes = [UInt8](UnsafeRawBufferPointer(rebasing: transfer.buffer[0..<transfer.count]))
            transfer.buffer.deallocate()
            return (transfer.peer, bytes)
        }
        return nil
    }

    /// Ends every process of the job (mpirun exits with `code`): for a rank that hangs, or
    /// after a stop signal, when the others cannot be told to finish. Does not return.
    ///
    /// When `HPSEARCH_ABORT_MARKER` names a file (scripts/launch.sh sets it), the code is written
    /// there first: mpirun can wait for ever on a host it cannot reach, and the launcher then
    /// knows the job is over and stops it.
    public func abort(code: Int) -> Never {
        if let marker = ProcessInfo.processInfo.environment["HPSEARCH_ABORT_MARKER"], !marker.isEmpty {
            try? Data("\(code)\n".utf8).write(to: URL(fileURLWithPath: marker))
        }
        fflush(nil)
        MPI_Abort(cmpi_comm_world(), Int32(code))
        exit(Int32(code))
    }

    /// Ends MPI for this process (after the last message): first waits up to `drain` seconds
    /// (polling, never spinning) for its sends to complete, as MPI_Finalize would wait for ever
    /// on a send to a rank that is gone. Returns false, and leaves MPI as it is for the process
    /// to exit, when some could not be delivered.
    @discardableResult
    public func finalize(drain: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(drain)
        while pendingSends > 0 && Date() < deadline {
            lock.lock()
            progressSends()
            lock.unlock()
            Thread.sleep(forTimeInterval: 0.001)
        }
        lock.lock()
        defer { lock.unlock() }
        guard sending.isEmpty else { return false }
        var finalized: Int32 = 0
        MPI_Finalized(&finalized)
        if finalized == 0 { MPI_Finalize() }
        return true
    }
}
