// RNG: a counter-based generator (Philox4x32-10, Salmon et al., SC'11). The n-th output depends
// only on (seed, stream, n), never on the machine, rank or thread: the same seed gives the same
// numbers everywhere, and independent streams come from `derived(stream:)` without sharing state.
import Foundation

/// A seeded Philox4x32-10 stream. Value type: copying it forks the position.
public struct RNG: Sendable {
    /// The 64-bit key (seed and stream mixed).
    public let key: (UInt32, UInt32)
    /// Position in the stream, in 128-bit blocks.
    public private(set) var counter: UInt64 = 0
    private var buffer: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var buffered = 0
    private let streamHigh: UInt64

    /// A stream for `seed`; `stream` selects one of 2⁶⁴ independent streams of the same seed.
    public init(seed: UInt64, stream: UInt64 = 0) {
        key = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        streamHigh = stream
    }

    /// The complete position of the generator, as four words: the key (low word first), the
    /// stream, the block counter and how many outputs of the current block are still unread.
    /// `RNG(state: rng.state)` continues exactly where `rng` is (the pending block is recomputed
    /// from the counter, so it is not part of the state). Used to save resumable training runs.
    public var state: [UInt64] {
        [UInt64(key.0) | UInt64(key.1) << 32, streamHigh, counter, UInt64(buffered)]
    }

    /// A generator at exactly the position `state` (from `RNG.state`) describes; nil when it is
    /// not four words or claims more than four unread outputs of a block.
    public init?(state: [UInt64]) {
        guard state.count == 4, state[3] <= 4 else { return nil }
        key = (UInt32(truncatingIfNeeded: state[0]), UInt32(truncatingIfNeeded: state[0] >> 32))
        streamHigh = state[1]
        counter = state[2]
        buffered = Int(state[3])
        if buffered > 0 {
            // The unread outputs are the tail of the block drawn at counter − 1.
            buffer = RNG.philox(counter: RNG.counterWords(counter &- 1, streamHigh), key: key)
        }
    }

    static func counterWords(_ counter: UInt64, _ stream: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        (UInt32(truncatingIfNeeded: counter), UInt32(truncatingIfNeeded: counter >> 32),
         UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32))
    }

    /// An independent stream of the same seed: e.g. one per trial, per layer, per purpose.
    public func derived(stream: UInt64) -> RNG {
        // Mix the current key and the requested stream so that derivations nest.
        let k = UInt64(key.0) | (UInt64(key.1) << 32)
        return RNG(seed: RNG.mix(k ^ RNG.mix(streamHigh &+ 0x9E37_79B9_7F4A_7C15)), stream: stream)
    }

    /// SplitMix64's finaliser: a bijective 64-bit mix, used to combine seeds.
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The Philox4x32-10 block function.
    static func philox(counter c: (UInt32, UInt32, UInt32, UInt32), key k: (UInt32, UInt32))
        -> (UInt32, UInt32, UInt32, UInt32) {
        var (c0, c1, c2, c3) = c
        var (k0, k1) = k
        for _ in 0..<10 {
            let p0 = UInt64(0xD251_1F53) * UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) * UInt64(c2)
            let n0 = UInt32(truncatingIfNeeded: p1 >> 32) ^ c1 ^ k0
            let n1 = UInt32(truncatingIfNeeded: p1)
            let n2 = UInt32(truncatingIfNeeded: p0 >> 32) ^ c3 ^ k1
            let n3 = UInt32(truncatingIfNeeded: p0)
            (c0, c1, c2, c3) = (n0, n1, n2, n3)
            k0 &+= 0x9E37_79B9
            k1 &+= 0xBB67_AE85
        }
        return (c0, c1, c2, c3)
    }

    /// The next 32 random bits.
    public mutating func nextUInt32() -> UInt32 {
        if buffered == 0 {
            buffer = RNG.philox(counter: RNG.counterWords(counter, streamHigh), key: key)
            counter &+= 1
            buffered = 4
        }
        buffered -= 1
        switch buffered {
        case 3: return buffer.0
        case 2: return buffer.1
        case 1: return buffer.2
        default: return buffer.3
        }
    }

    /// The next `count` outputs of `nextUInt32`, in order, written to `out`, and the generator
    /// moved past them: the same numbers and the same position as `count` calls, whatever the
    /// thread count (each output depends only on its index in the stream, so large fills split
    /// over the BLAS threads).
    public mutating func nextUInt32s(into out: UnsafeMutablePointer<UInt32>, count: Int) {
        guard count > 0 else { return }
        let start = counter &* 4 &- UInt64(buffered)  // outputs drawn so far
        let (key, stream) = (self.key, streamHigh)
        Parallel.chunks(count, grain: 1 << 14) { i0, i1 in
            var i = i0
            while i < i1 {
                let g = start &+ UInt64(i)
                let b = RNG.philox(counter: RNG.counterWords(g / 4, stream), key: key)
                var lane = Int(g % 4)
                while lane < 4 && i < i1 {
                    out[i] = lane == 0 ? b.0 : lane == 1 ? b.1 : lane == 2 ? b.2 : b.3
                    i += 1
                    lane += 1
                }
            }
        }
        let end = start &+ UInt64(count)
        counter = (end &+ 3) / 4
        buffered = Int(counter &* 4 &- end)
        if buffered > 0 { buffer = RNG.philox(counter: RNG.counterWords(counter &- 1, stream), key: key) }
    }

    public mutating func nextUInt64() -> UInt64 {
        UInt64(nextUInt32()) << 32 | UInt64(nextUInt32())
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func uniform() -> Float {
        Float(nextUInt32() >> 8) * 0x1p-24
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniformDouble() -> Double {
        Double(nextUInt64() >> 11) * 0x1p-53
    }

    /// Uniform in [lo, hi) (rounding can never reach `hi`).
    public mutating func uniform(_ lo: Float, _ hi: Float) -> Float {
        let v = lo + (hi - lo) * uniform()
        return v < hi ? v : Swift.max(lo, hi.nextDown)
    }

    /// Standard normal (Box–Muller, one value per call).
    public mutating func normal(mean: Float = 0, std: Float = 1) -> Float {
        let u1 = Swift.max(uniformDouble(), 0x1p-60), u2 = uniformDouble()
        let z = (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
        return mean + std * Float(z)
    }

    /// True with probability `p`.
    public mutating func bernoulli(_ p: Float) -> Bool { uniform() < p }

    /// Uniform integer in 0..<n without modulo bias (Lemire's method).
    public mutating func int(below n: Int) -> Int {
        precondition(n > 0, "int(below:) needs n > 0")
        let bound = UInt64(n)
        var m = nextUInt64().multipliedFullWidth(by: bound)
        if m.low < bound {
            let t = (0 &- bound) % bound
            while m.low < t { m = nextUInt64().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    /// A uniformly random permutation of 0..<n (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n > 1 { for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, int(below: i + 1)) } }
        return p
    }

    /// `n` uniforms in [lo, hi).
    public mutating func uniformArray(_ n: Int, _ lo: Float = 0, _ hi: Float = 1) -> [Float] {
        (0..<n).map { _ in uniform(lo, hi) }
    }

    /// `n` normals.
    public mutating func normalArray(_ n: Int, mean: Float = 0, std: Float = 1) -> [Float] {
        (0..<n).map { _ in normal(mean: mean, std: std) }
    }
}

extension Tensor {
    /// A tensor of uniforms in [lo, hi).
    public static func uniform(_ shape: [Int], _ lo: Float = 0, _ hi: Float = 1, rng: inout RNG,
                               requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, data: rng.uniformArray(shape.reduce(1, *), lo, hi), requiresGrad: requiresGrad)
    }

    /// A tensor of normals.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, rng: inout RNG,
                              requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, data: rng.normalArray(shape.reduce(1, *), mean: mean, std: std), requiresGrad: requiresGrad)
    }
}
