// Elementwise binary arithmetic with broadcasting (+ − × ÷), each with its gradient rule:
// a broadcast operand's gradient is the output gradient summed over the stretched dimensions.
// Each operation is a small struct so that the generic kernels specialise and inline it (no
// call per element).

/// f(a, b) with its partial derivatives.
public protocol BinaryFunction {
    static func value(_ a: Float, _ b: Float) -> Float
    static func da(_ a: Float, _ b: Float) -> Float
    static func db(_ a: Float, _ b: Float) -> Float
}

public enum AddFunction: BinaryFunction {
    @inlinable public static func value(_ a: Float, _ b: Float) -> Float { a + b }
    @inlinable public static func da(_ a: Float, _ b: Float) -> Float { 1 }
    @inlinable public static func db(_ a: Float, _ b: Float) -> Float { 1 }
}
public enum SubtractFunction: BinaryFunction {
    @inlinable public static func value(_ a: Float, _ b: Float) -> Float { a - b }
    @inlinable public static func da(_ a: Float, _ b: Float) -> Float { 1 }
    @inlinable public static func db(_ a: Float, _ b: Float) -> Float { -1 }
}
public enum MultiplyFunction: BinaryFunction {
    @inlinable public static func value(_ a: Float, _ b: Float) -> Float { a * b }
    @inlinable public static func da(_ a: Float, _ b: Float) -> Float { b }
    @inlinable public static func db(_ a: Float, _ b: Float) -> Float { a }
}
public enum DivideFunction: BinaryFunction {
    @inlinable public static func value(_ a: Float, _ b: Float) -> Float { a / b }
    @inlinable public static func da(_ a: Float, _ b: Float) -> Float { 1 / b }
    @inlinable public static func db(_ a: Float, _ b: Float) -> Float { -(a / b) / b }
}

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
            for r in 0..<(count / p) { let base = r * p; for j in 0..<p { body(base + j, base + j, j) } }
        case (.row(let p), .same):
            for r in 0..<(count / p) { let base = r * p; for j in 0..<p { body(base + j, j, base + j) } }
        default:
            let ma = pa.map(count: count, result: result), mb = pb.map(count: count, result: result)
            for i in 0..<count { body(i, ma[i], mb[i]) }
        }
    }

    /// `F(a, b)` elementwise with broadcasting.
    public static func binary<F: BinaryFunction>(_ a: Tensor, _ b: Tensor, _: F.Type) -> Tensor {
        binaryKernel(a, b, F.self)
    }

    @inline(__always)
    static func binaryKernel<F: BinaryFunction>(_ a: Tensor, _ b: Tensor, _: F.Type) -> Tensor {
        let shape = a.shape == b.shape ? a.shape : Broadcast.resultShape(a.shape, b.shape)
        let pa = Broadcast.plan(a.shape, onto: shape), pb = Broadcast.plan(b.shape, onto: shape)
        let n = shape.reduce(1, *)
        let out = makeBuffer(n) { o in
            a.data.withUnsafeBufferPointer { xa in
                b.data.withUnsafeBufferPointer { xb in
                    let pa0 = xa.baseAddress!, pb0 = xb.baseAddress!
                    forEachBroadcast(n, pa, pb, shape) { i, ia, ib in o[i] = F.value(pa0[ia], pb0[ib]) }
                }
            }
        }
        let result = Tensor(shape: shape, data: out)
        let ad = a.data, bd = b.data  // forward-time values (copy-on-write: free unless mutated)
        result.record([a, b]) { r in
            r.grad!.withUnsafeBufferPointer { gbuf in
                ad.withUnsafeBufferPointer { xa in
                    bd.withUnsafeBufferPointer { xb in
                        let g = gbuf.baseAddress!, pa0 = xa.baseAddress!, pb0 = xb.baseAddress!
                        a.accumulateGrad { ga in
                            forEachBroadcast(n, pa, pb, shape) { i, ia, ib in ga[ia] += g[i] * F.da(pa0[ia], pb0[ib]) }
                        }
                        b.accumulateGrad { gb in
                            forEachBroadcast(n, pa, pb, shape) { i, ia, ib in gb[ib] += g[i] * F.db(pa0[ia], pb0[ib]) }
                        }
                    }
                }
            }
        }
        return result
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { binaryKernel(a, b, AddFunction.self) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { binaryKernel(a, b, SubtractFunction.self) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { binaryKernel(a, b, MultiplyFunction.self) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { binaryKernel(a, b, DivideFunction.self) }

    public static func + (a: Tensor, s: Float) -> Tensor { a.apply(Affine(scale: 1, shift: s)) }
    public static func - (a: Tensor, s: Float) -> Tensor { a.apply(Affine(scale: 1, shift: -s)) }
    public static func * (a: Tensor, s: Float) -> Tensor { a.apply(Affine(scale: s, shift: 0)) }
    public static func / (a: Tensor, s: Float) -> Tensor { a.apply(Affine(scale: 1 / s, shift: 0)) }
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }
    public static func + (s: Float, a: Tensor) -> Tensor { a + s }
    public static func - (s: Float, a: Tensor) -> Tensor { a.apply(Affine(scale: -1, shift: s)) }
    public static prefix func - (a: Tensor) -> Tensor { a.apply(Affine(scale: -1, shift: 0)) }
}
