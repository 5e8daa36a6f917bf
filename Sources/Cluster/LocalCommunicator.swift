// LocalCommunicator: ranks as objects in one process, for tests and the size-1 world.
import Foundation

/// An in-process world: `LocalCommunicator.world(size:)` makes one communicator per rank over
/// shared mailboxes. Messages go through the wire codec, so tests exercise it too. Ranks may
/// live on different threads: the mailboxes are locked.
public final class LocalCommunicator: Communicator, @unchecked Sendable {
    final class Mailboxes: @unchecked Sendable {
        let lock = NSLock()
        var queues: [[(Int, [UInt8])]]
        init(size: Int) { queues = Array(repeating: [], count: size) }
    }

    public let rank: Int
    public let size: Int
    private let boxes: Mailboxes
    public var allowsConcurrentSend: Bool { true }

    init(rank: Int, size: Int, boxes: Mailboxes) {
        self.rank = rank
        self.size = size
        self.boxes = boxes
    }

    /// One communicator per rank of a world of `size`.
    public static func world(size: Int) -> [LocalCommunicator] {
        let boxes = Mailboxes(size: size)
        return (0..<size).map { LocalCommunicator(rank: $0, size: size, boxes: boxes) }
    }

    public func send(_ message: Message, to rank: Int) throws {
        guard rank >= 0 && rank < size else { throw CommunicatorError("rank \(rank) outside a world of \(size)") }
        let bytes = try message.encoded()
        boxes.lock.lock()
        boxes.queues[rank].append((self.rank, bytes))
        boxes.lock.unlock()
    }

    public func poll() throws -> (source: Int, message: Message)? {
        boxes.lock.lock()
        let next = boxes.queues[rank].isEmpty ? nil : boxes.queues[rank].removeFirst()
        boxes.lock.unlock()
        guard let (source, bytes) = next else { return nil }
        return (source, try Message.decode(bytes))
    }
}
