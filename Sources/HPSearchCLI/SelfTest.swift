// `hpsearch selftest communicator`: the Communicator contract over this job's world (run it
// under mpirun); the test suite uses it to check MPI for real.
import ArgumentParser
import Cluster

struct SelfTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Check this installation: `mpirun -np 3 hpsearch selftest communicator`.",
        subcommands: [CommunicatorCheck.self]
    )
}

struct CommunicatorCheck: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "communicator", abstract: "Exchange messages between every rank and rank 0 and check order and integrity.")

    func run() throws {
        let c: any Communicator = MPICommunicator.launchedByMPI ? try MPICommunicator() : LocalCommunicator.world(size: 1)[0]
        defer { (c as? MPICommunicator)?.finalize() }
        let summary = try CommunicatorSelfTest.run(c)
        if c.rank == 0 { print(summary) }
    }
}
