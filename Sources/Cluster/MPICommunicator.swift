// MPICommunicator: Open MPI point-to-point, polled (MPI_Iprobe + a short sleep) so that a
// waiting rank costs ~2% of a core instead of the 100% a blocking MPI_Recv spins.
import CMPI
import Foundation

public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    private static let tag: Int32 = 7

    /// True when this process was started by mpirun/mpiexec (Open MPI sets these variables).
    public static var launchedByMPI: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["OMPI_COMM_WORLD_SIZE"] != nil || env["PMIX_RANK"] != nil || env["PMI_RANK"] != nil
    }

    /// Initialises MPI (once per process). Call from the thread that will make every MPI call.
    public init() throws {
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        if initialized == 0 {
            guard MPI_Init(nil, nil) == MPI_SUCCESS else { throw CommunicatorError("MPI_Init failed: is Open MPI installed (apt-get install openmpi-bin)?") }
        }
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(cmpi_comm_world(), &r)
        MPI_Comm_size(cmpi_comm_world(), &s)
        rank = Int(r)
        size = Int(s)
    }

    public func send(_ message: Message, to rank: Int) throws {
        let bytes = try message.encoded()
        guard bytes.count < Int(Int32.max) else { throw CommunicatorError("message of \(bytes.count) bytes is over MPI's 2 GiB limit") }
        let rc = bytes.withUnsafeBytes { MPI_Send($0.baseAddress, Int32(bytes.count), cmpi_byte(), Int32(rank), Self.tag, cmpi_comm_world()) }
        guard rc == MPI_SUCCESS else { throw CommunicatorError("MPI_Send to rank \(rank) failed (code \(rc))") }
    }

    public func poll() throws -> (source: Int, message: Message)? {
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
        return (Int(source), try Message.decode(bytes))
    }

    /// Ends every process of the job (mpirun exits with `code`): for a rank that hangs, or
    /// after a stop signal, when the others cannot be told to finish. Does not return.
    public func abort(code: Int) -> Never {
        fflush(nil)
        MPI_Abort(cmpi_comm_world(), Int32(code))
        exit(Int32(code))
    }

    /// Ends MPI for this process (after the last message).
    public func finalize() {
        var finalized: Int32 = 0
        MPI_Finalized(&finalized)
        if finalized == 0 { MPI_Finalize() }
    }
}
