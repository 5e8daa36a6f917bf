// SobolSampler: a scrambled Sobol sequence, one dimension per parameter, so that the first trials
// cover the space more evenly than independent draws.
import Foundation

/// The Sobol sequence with Joe–Kuo direction numbers, as 32-bit integers (point i, dimension d is
/// `point(i, d) / 2³²`), in Gray-code order like Joe and Kuo's own generator and SciPy's.
struct SobolSequence: Sendable {
    /// Dimensions with direction numbers: van der Corput plus the Joe–Kuo table.
    static let maxDimensions = JoeKuo.directionNumbers.count + 1
    static let bits = 32

    /// directions[d][j]: the j-th direction integer of dimension d (0-based), left-aligned.
    let directions: [[UInt32]]

    init(dimensions: Int) {
        directions = (0..<min(dimensions, Self.maxDimensions)).map(Self.directionIntegers)
    }

    static func directionIntegers(dimension d: Int) -> [UInt32] {
        guard d > 0 else { return (0..<bits).map { UInt32(1) << (31 - $0) } }
        let (s, a, m) = JoeKuo.directionNumbers[d - 1]
        var v = [UInt32](repeating: 0, count: bits)
        for j in 0..<bits {
            if j < s {
                v[j] = m[j] << (31 - j)
            } else {
                var x = v[j - s] ^ (v[j - s] >> s)
                for k in 1..<s where (a >> (s - 1 - k)) & 1 == 1 { x ^= v[j - k] }
                v[j] = x
            }
        }
        return v
    }

    /// The unscrambled point `index` in dimension `d` (< directions.count), times 2³².
    func point(_ index: UInt32, dimension d: Int) -> UInt32 {
        var gray = index ^ (index >> 1), x: UInt32 = 0, j = 0
        let v = directions[d]
        while gray != 0 {
            if gray & 1 == 1 { x ^= v[j] }
            gray >>= 1
            j += 1
        }
        return x
    }

    /// A nested uniform (Owen-type) scramble of the 32-bit digits of `x`: each output bit is the
    /// input bit flipped by a seeded function of the bits above it, so every elementary interval
    /// of the sequence maps onto one of equal size and the (t, m, s)-net property is kept.
    /// Laine–Karras style hashing on the reversed bits (Burley, "Practical Hash-based Owen
    /// Scrambling", JCGT 2020) with Vegdahl's improved constants: in reversed order, additions and
    /// multiplications only carry information from lower bits (higher digits) to higher bits.
    static func scramble(_ x: UInt32, seed: UInt32) -> UInt32 {
        var n = x.bitReversed
        n ^= n &* 0x3D20_ADEA
        n &+= seed
        n &*= (seed >> 16) | 1
        n ^= n &* 0x0552_6C56
        n ^= n &* 0x53A2_2864
        return n.bitReversed
    }
}

extension UInt32 {
    var bitReversed: UInt32 {
        var x = self
        x = ((x >> 1) & 0x5555_5555) | ((x & 0x5555_5555) << 1)
        x = ((x >> 2) & 0x3333_3333) | ((x & 0x3333_3333) << 2)
        x = ((x >> 4) & 0x0F0F_0F0F) | ((x & 0x0F0F_0F0F) << 4)
        x = ((x >> 8) & 0x00FF_00FF) | ((x & 0x00FF_00FF) << 8)
        return (x >> 16) | (x << 16)
    }
}

/// Scrambled Sobol sampling: trial i's first candidate takes point i of the Sobol sequence (Joe–Kuo
/// direction numbers, one dimension per parameter in file order, inactive parameters consuming
/// theirs too), each dimension Owen-scrambled with its own seed from the sweep seed, and the bits
/// below 2⁻³² filled from a hash of (seed, i, dimension). Dimensions past `maxDimensions` (64) take
/// independent uniforms. Retries after a duplicate (k ≥ 1) are the random sampler's candidates.
public struct SobolSampler: Sampler, Sendable {
    /// Parameters beyond this many get independent uniforms instead of Sobol coordinates.
    public static var maxDimensions: Int { SobolSequence.maxDimensions }

    private let maker: ConfigurationMaker
    private let points: ScrambledSobol
    private var cache = AssignmentCache()

    public init(spec: SweepSpec) {
        maker = ConfigurationMaker(spec: spec)
        points = ScrambledSobol(seed: spec.seed, dimensions: spec.parameters.count)
    }

    /// The scrambled point `index` as uniforms in [0, 1), one per parameter in file order.
    public func uniforms(_ index: Int) -> [Double] { points.uniforms(index) }

    public mutating func assignment(_ index: Int) throws -> TrialAssignment {
        let maker = maker, points = points
        return try cache.assignment(index, spec: maker.spec) { i, k in
            k == 0 ? maker.configuration(uniforms: points.uniforms(i)) : maker.randomCandidate(index: i, candidate: k)
        }
    }
}

/// The Sobol sequence with a seeded nested scramble per dimension.
struct ScrambledSobol: Sendable {
    let seed: UInt64
    let dimensions: Int
    let sequence: SobolSequence
    let scrambleSeeds: [UInt32]

    init(seed: UInt64, dimensions: Int) {
        self.seed = seed
        self.dimensions = dimensions
        sequence = SobolSequence(dimensions: dimensions)
        scrambleSeeds = (0..<dimensions).map {
            UInt32(truncatingIfNeeded: SearchRandom.hash(seed, SearchStream.sobolScramble, UInt64($0)) >> 32)
        }
    }

    func uniforms(_ index: Int) -> [Double] {
        let i = UInt32(truncatingIfNeeded: index)
        return (0..<dimensions).map { d in
            let low = SearchRandom.hash(seed, SearchStream.sobolLow, UInt64(bitPattern: Int64(index)), UInt64(d))
            guard d < sequence.directions.count else { return Double(low >> 11) * 0x1p-53 }
            let x = SobolSequence.scramble(sequence.point(i, dimension: d), seed: scrambleSeeds[d])
            return (Double(x) * 0x1p21 + Double(low >> 43)) * 0x1p-53
        }
    }
}
