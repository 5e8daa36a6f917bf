// SearchRandom: a tiny counter-based generator, so that every draw of the search is a pure function
// of (sweep seed, stream, position) and never of the order in which ranks ask for trials.

/// SplitMix64 (Steele, Lea & Flood 2014) over a state derived from `(seed, stream)`: the n-th output
/// is `mix(start + n·γ)`, so a generator is cheap to make and two streams never share state.
///
/// Not for cryptography. Statistically fine for sampling (SplitMix64 passes BigCrush).
public struct SearchRandom: RandomNumberGenerator, Sendable {
    /// The Weyl increment: 2⁶⁴/φ, odd.
    static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15
    private var state: UInt64

    /// The generator for `stream` of `seed`; equal arguments give equal sequences.
    public init(seed: UInt64, stream: UInt64 = 0) {
        state = Self.hash(seed, stream)
    }

    public mutating func next() -> UInt64 {
        state &+= Self.gamma
        return Self.mix(state)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// SplitMix64's finaliser (Stafford's variant 13): a bijection of UInt64 with full avalanche.
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A well-mixed hash of the words, order-sensitive: `hash(a, b) != hash(b, a)` in general.
    public static func hash(_ a: UInt64, _ b: UInt64) -> UInt64 {
        mix(mix(a &+ gamma) ^ (b &* 0xD6E8_FEB8_6659_FD93) &+ 0x632B_E59B_D9B4_E019)
    }

    /// `hash(hash(a, b), c)`.
    public static func hash(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 { hash(hash(a, b), c) }

    /// `hash(hash(a, b, c), d)`.
    public static func hash(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> UInt64 { hash(hash(a, b, c), d) }
}

/// Stream tags: one per purpose, so that no two kinds of draw ever share a stream.
enum SearchStream {
    /// A candidate configuration's uniforms: (tag, index, candidate).
    static let candidate: UInt64 = 0x6361_6E64  // "cand"
    /// A trial's training seed: (tag, index).
    static let training: UInt64 = 0x7472_6169  // "trai"
    /// Sobol per-dimension scrambling seeds: (tag, dimension).
    static let sobolScramble: UInt64 = 0x736F_626C  // "sobl"
    /// Sobol's bits below 2⁻³² and dimensions past the table: (tag, index, dimension).
    static let sobolLow: UInt64 = 0x6C6F_7762  // "lowb"
    /// The pick among the unused configurations once random candidates ran out: (tag, index).
    static let enumerationPick: UInt64 = 0x7069_636B  // "pick"
}

extension SearchStream {
    /// The training seed every trial of a distillation sweep shares: (tag).
    static let distillation: UInt64 = 0x6469_7374  // "dist"
}
