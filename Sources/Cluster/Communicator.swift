// Communicator: point-to-point messages between ranks, without ever spinning a core.
import CMPI
import Foundation

/// Sends and receives `Message`s between the ranks of one job.
///
/// Contract:
/// - `rank` is in 0..<`size`; rank 0 coordinates.
/// - `send` delivers `message` to `rank` in order with the other messages from this rank to
///   that rank (FIFO per pair); it may return before the receiver has read it.
/// - `poll` returns the next message addressed to this rank, or nil at once when there is none.
/// - `receive(timeout:)` waits by polling with sleeps (backing off to about 1 ms), never by a
///   blocking call that spins a core; nil when the timeout passes.
/// - Calls are made from one thread, except that when `allowsConcurrentSend` is true a second
///   thread may `send` (a worker's heartbeat) while the first sends or polls: the
///   implementation serialises them.
public protocol Communicator: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// True when `send` may be called from another thread than the one that polls.
    var allowsConcurrentSend: Bool { get }
    func send(_ message: Message, to rank: Int) throws
    func poll() throws -> (source: Int, message: Message)?
}

extension Communicator {
    public var allowsConcurrentSend: Bool { false }

    /// Waits for the next message: a short burst of polls (replies usually follow within
    /// microseconds), then sleeps that double from 10 µs up to `maxSleep` (1 ms), so a rank
    /// that waits for long costs about 2% of a core and one in a conversation answers in
    /// microseconds. Nil when `timeout` passes.
    public func receive(timeout: Double? = nil, maxSleep: Double = 0.001) throws -> (source: Int, message: Message)? {
        Self.tightenTimerSlack
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var polls = 0
        var sleep = 10e-6
        while true {
            if let m = try poll() { return m }
            polls += 1
            if polls < 200 { continue }
            if let deadline, Date() >= deadline { return nil }
            Thread.sleep(forTimeInterval: sleep)
            sleep = min(sleep * 2, maxSleep)
        }
    }

    /// Linux rounds short sleeps up by the thread's timer slack (50 µs by default); 1 µs slack
    /// lets a 10 µs sleep be one. Set once per thread that waits.
    private static var tightenTimerSlack: Void {
        _ = cmpi_set_timer_slack_ns(1000)
    }
}

public struct CommunicatorError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
