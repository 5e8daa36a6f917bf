// Elementwise binary arithmetic with broadcasting (+ − × ÷), each with its gradient rule:
// a broadcast operand's gradient is the output gradient summed over the stretched dimensions.

extension Tensor {
    /// Visits every result element `i` with the operand indices `ia`, `ib` it reads.
    @inline(__always)
    static func forEachBroadcast(_ count: Int, _ pa: Broadcast, _ pb: Broadcast, _ result: [Int],
                                 _ body: (Int, Int, Int) -> Void) {
        switch (pa, pb) {
        case (.same, .same):
            for i in 0..<count { body(i, i, i) }
        case (.same, .scalar):
            for i in 0..<count { body(i, i, 0) }
        case (.scalar, .same):
            for i in 0..<count { body(i, 0, i) }
        case (.same, .row(let p)):
            var i = 0
            for _ in 0..<(count / p) { for j in 0..<p { body(i, i, j); i += 1 } }
        case (.row(let p), .same):
            var i = 0
            for _ in 0..<(count / p) { for j in 0..<p { body(i, j, i); i += 1 } }
        default:
            let ma = pa.map(count: count, result: result), mb = pb.map(count: count, result: result)
            for i in 0..<count { body(i, ma[i], mb[i]) }
        }
    }

    /// Builds `f(a, b)` elementwise with broadcasting; `da`/`db` give ∂f/∂a and ∂f/∂b from (a, b).
    @inline(__always)
    static func binary(_ a: Tensor, _ b: Tensor,
                       _ f: (Float, Float) -> Float,
                       da: @escaping (Float, Float) -> Float,
                       db: @escaping (Float, Float) -> Float) -> Tensor {
        let shape = a.shape == b.shape ? a.shape : Broadcast.resultShape(a.shape, b.shape)
        let pa = Broadcast.plan(a.shape, onto: shape), pb = Broadcast.plan(b.shape, onto: shape)
        let n = shape.reduce(1, *)
        let out = makeBuffer(n) { o in
            a.data.withUnsafeBufferPointer { xa in
                b.data.withUnsafeBufferPointer { xb in
                    forEachBroadcast(n, pa, pb, shape) { i, ia, ib in o[i] = f(xa[ia], xb[ib]) }
                }
            }
        }
        let result = Tensor(shape: shape, data: out)
        result.record([a, b]) { r in
            r.grad!.withUnsafeBufferPointer { g in
                a.data.withUnsafeBufferPointer { xa in
                    b.data.withUnsafeBufferPointer { xb in
                        a.accumulateGrad { ga in
                            forEachBroadcast(n, pa, pb, shape) { i, ia, ib in ga[ia] += g[i] * da(xa[ia], xb[ib]) }
                        }
                        b.accumulateGrad { gb in
                            forEachBroadcast(n, pa, pb, shape) { i, ia, ib in gb[ib] += g[i] * db(xa[ia], xb[ib]) }
                        }
                    }
                }
            }
        }
        return result
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, { $0 + $1 }, da: { _, _ in 1 }, db: { _, _ in 1 })
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, { $0 - $1 }, da: { _, _ in 1 }, db: { _, _ in -1 })
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, { $0 * $1 }, da: { _, y in y }, db: { x, _ in x })
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, { $0 / $1 }, da: { _, y in 1 / y }, db: { x, y in -x / (y * y) })
    }

    public static func + (a: Tensor, s: Float) -> Tensor { a.map({ $0 + s }, derivative: { _, _ in 1 }) }
    public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
    public static func * (a: Tensor, s: Float) -> Tensor { a.map({ $0 * s }, derivative: { _, _ in s }) }
    public static func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }
    public static func + (s: Float, a: Tensor) -> Tensor { a + s }
    public static func - (s: Float, a: Tensor) -> Tensor { a.map({ s - $0 }, derivative: { _, _ in -1 }) }
    public static prefix func - (a: Tensor) -> Tensor { a * -1 }
}
