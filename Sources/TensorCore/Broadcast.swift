// Broadcast: NumPy's broadcasting rule (align trailing dimensions; a dimension of 1 stretches).
// Fast paths cover what MLPs and CNNs need (same shape, scalar, trailing "row" vector such as a
// bias [C] against [N, C] or [N, H, W, C]); anything else goes through an index map.

/// How an operand maps onto a broadcast result.
@usableFromInline
enum Broadcast: Equatable {
    /// The operand has the result's shape.
    case same
    /// The operand is one element.
    case scalar
    /// The operand's elements repeat every `period` result elements (a trailing-dims vector).
    case row(period: Int)
    /// General case: the operand's strides within the result's index space (0 where stretched).
    case strided(strides: [Int])

    /// The shape two operands broadcast to.
    static func resultShape(_ a: [Int], _ b: [Int]) -> [Int] {
        let r = max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let da = i < r - a.count ? 1 : a[i - (r - a.count)]
            let db = i < r - b.count ? 1 : b[i - (r - b.count)]
            precondition(da == db || da == 1 || db == 1, "shapes \(a) and \(b) do not broadcast")
            out[i] = max(da, db)
        }
        return out
    }

    /// How an operand of `shape` maps onto `result`.
    static func plan(_ shape: [Int], onto result: [Int]) -> Broadcast {
        if shape == result { return .same }
        let n = shape.reduce(1, *)
        if n == 1 { return .scalar }
        // Trailing vector: shape (without leading 1s) equals the result's trailing dims.
        let trimmed = Array(shape.drop(while: { $0 == 1 }))
        if trimmed.count <= result.count, Array(result.suffix(trimmed.count)) == trimmed {
            return .row(period: n)
        }
        let r = result.count
        let own = Tensor.strides(of: shape)
        var strides = [Int](repeating: 0, count: r)
        for i in 0..<shape.count {
            let d = i + (r - shape.count)
            strides[d] = shape[i] == 1 ? 0 : own[i]
        }
        return .strided(strides: strides)
    }

    /// For each result element, the operand's linear index (general case only).
    static func indexMap(strides: [Int], result: [Int]) -> [Int] {
        let total = result.reduce(1, *)
        var map = [Int](repeating: 0, count: total)
        var idx = [Int](repeating: 0, count: result.count)
        var off = 0
        for li in 0..<total {
            map[li] = off
            var d = result.count - 1
            while d >= 0 {
                idx[d] += 1
                off += strides[d]
                if idx[d] < result[d] { break }
                off -= strides[d] * idx[d]
                idx[d] = 0
                d -= 1
            }
        }
        return map
    }

    /// The operand's linear index for each result index, in any case (slow path helper).
    func map(count: Int, result: [Int]) -> [Int] {
        switch self {
        case .same: return Array(0..<count)
        case .scalar: return [Int](repeating: 0, count: count)
        case .row(let p): return (0..<count).map { $0 % p }
        case .strided(let s): return Broadcast.indexMap(strides: s, result: result)
        }
    }
}
