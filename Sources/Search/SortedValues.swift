// SortedValues: an order-statistic multiset of doubles for the stoppers' per-rung and per-epoch
// records, where rank 0 inserts tens of thousands of values a second into sets of 10⁵ and more.

/// A sorted multiset of doubles stored as a list of sorted chunks of at most `2·chunkSize` values
/// (Python's `sortedcontainers.SortedList` layout). Insertion costs a binary search over the chunk
/// maxima plus a move of at most one chunk; the k-th smallest value a scan of the chunk counts,
/// which are contiguous (n/512 of them). NaN must not be inserted (the stoppers map it to +∞).
struct SortedValues: Sendable {
    static let chunkSize = 512
    private var chunks: [[Double]] = []
    /// The largest value of each chunk, and its count, parallel to `chunks`.
    private var maxima: [Double] = []
    private var counts: [Int] = []
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Inserts `x` after any equal values.
    mutating func insert(_ x: Double) {
        precondition(!x.isNaN, "SortedValues cannot order NaN")
        count += 1
        guard !chunks.isEmpty else {
            chunks = [[x]]
            maxima = [x]
            counts = [1]
            return
        }
        // The first chunk whose maximum exceeds x; the last chunk when none does.
        var lo = 0, hi = maxima.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if maxima[mid] > x { hi = mid } else { lo = mid + 1 }
        }
        let c = lo
        // Upper bound within the chunk.
        var a = 0, b = counts[c]
        chunks[c].withUnsafeBufferPointer { chunk in
            while a < b {
                let mid = (a + b) / 2
                if chunk[mid] > x { b = mid } else { a = mid + 1 }
            }
        }
        chunks[c].insert(x, at: a)
        counts[c] += 1
        if x > maxima[c] { maxima[c] = x }
        if counts[c] > 2 * Self.chunkSize {
            let tail = Array(chunks[c][Self.chunkSize...])
            chunks[c].removeSubrange(Self.chunkSize...)
            chunks.insert(tail, at: c + 1)
            maxima.insert(maxima[c], at: c + 1)
            maxima[c] = chunks[c][Self.chunkSize - 1]
            counts[c] = Self.chunkSize
            counts.insert(tail.count, at: c + 1)
        }
    }

    /// The `rank`-th smallest value, 0-based; `rank` in 0..<count.
    func element(at rank: Int) -> Double {
        precondition(rank >= 0 && rank < count, "rank \(rank) out of 0..<\(count)")
        var r = rank, c = 0
        while r >= counts[c] {
            r -= counts[c]
            c += 1
        }
        return chunks[c][r]
    }

    /// The median: the middle value, or the mean of the two middle values; nil when empty.
    var median: Double? {
        guard count > 0 else { return nil }
        if count % 2 == 1 { return element(at: count / 2) }
        let a = element(at: count / 2 - 1), b = element(at: count / 2)
        return a == b ? a : a / 2 + b / 2
    }

    /// Every value in order (for tests and reports).
    var values: [Double] { chunks.flatMap { $0 } }
}
