// MPICommunicator: Open MPI point-to-point, polled (MPI_Iprobe + a short sleep) so that a
// waiting rank costs ~2% of a core instead of the 100% a blocking MPI_Recv spins. MPI is
// initialised at MPI_THREAD_SERIALIZED and every call holds a lock, so a worker's heartbeat
// thread may send while its main thread trains or polls.
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
        lock.lock()
        defer { lock.unlock() }
        let rc = bytes.withUnsafeBytes { MPI_Send($0.baseAddress, Int32(bytes.count), cmpi_byte(), Int32(rank), Self.tag, cmpi_comm_world()) }
        guard rc == MPI_SUCCESS else { throw CommunicatorError("MPI_Send to rank \(rank) failed (code \(rc))") }
    }

    public func poll() throws -> (source: Int, message: Message)? {
        let bytes: [UInt8], source: Int32
        do {
            lock.lock()
            defer { lock.unlock() }
            guard let received = try receiveBytes() else { return nil }
            (source, bytes) = received
        }
        return (Int(source), try Message.decode(bytes))
    }

    /// The next message's source and bytes, if one is waiting (the caller holds the lock).
    private func receiveBytes() throws -> (Int32, [UInt8])? {
        var flag: Int32 = 0
        var status = MPI_Status()
        guard MPI_Iprobe(MPI_ANY_SOURCE, Self.tag, cmpi_comm_world(), &flag, &status) == MPI_SUCCESS else {
            throw CommunicatorError("MPI_Iprobe failed")
        }
        guard flag != 0 else { return nil }
        var count: Int32 = 0
        MPI_Get_count(&status, cmpi_byte(), &count)
        var bytes = [UInt8](repeating: 0, count: Int(count))
        let source = status.MPI_SOURCE
        let rc = bytes.withUnsafeMutableBytes { MPI_Recv($0.baseAddress, count, cmpi_byte(), source, Self.tag, cmpi_comm_world(), cmpi_status_ignore()) }
        guard rc == MPI_SUCCESS else { throw CommunicatorError("MPI_Recv from rank \(source) failed (code \(rc))") }
        return (source, bytes)
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

    /// Ends MPI for this process (after the last message).
    public func finalize() {
        lock.lock()
        defer { lock.unlock() }
        var finalized: Int32 = 0
        MPI_Finalized(&finalized)
        if finalized == 0 { MPI_Finalize() }
    }
}
