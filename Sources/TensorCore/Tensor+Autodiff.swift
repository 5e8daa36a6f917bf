// Reverse-mode differentiation: each operation attaches a closure that pushes its output's
// gradient into its inputs' gradients (micrograd's shape); `backward()` runs them in reverse
// topological order.

extension Tensor {
    /// Records that `self` was produced from `inputs` by an operation whose gradient rule is
    /// `rule`, when grad mode is on and any input requires grad; otherwise keeps nothing (no
    /// parents, no closure: no-grad evaluation builds no tape). Returns whether it recorded.
    ///
    /// Custom operations outside TensorCore (fused losses) use this too. `rule` receives the
    /// output tensor, whose `grad` is set when the rule runs, and must *add* into the inputs'
    /// gradients through `accumulateGrad`.
    @discardableResult
    public func record(_ inputs: [Tensor], _ rule: @escaping (Tensor) -> Void) -> Bool {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return false }
        requiresGrad = true
        parents = inputs
        backwardFn = rule
        return true
    }

    /// Whether recording would happen for an op over `inputs` (to skip preparing saved values).
    @inlinable
    public static func tracks(_ inputs: Tensor...) -> Bool {
        GradMode.isEnabled && inputs.contains(where: { $0.requiresGrad })
    }

    /// Adds into this tensor's gradient through `body`, allocating a zeroed gradient first if
    /// there is none. Does nothing when the tensor does not require grad.
    @inlinable
    public func accumulateGrad(_ body: (UnsafeMutablePointer<Float>) -> Void) {
        guard requiresGrad else { return }
        if grad == nil { grad = [Float](repeating: 0, count: count) }
        grad!.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }

    /// Like `accumulateGrad`, but when there is no gradient yet the buffer is handed over
    /// uninitialised with `beta` = 0, and `body` must write every element (C = A·B + beta·C, as a
    /// GEMM does); otherwise `beta` = 1. Saves zero-filling a buffer only to add into it.
    @inlinable
    public func writeOrAccumulateGrad(_ body: (UnsafeMutablePointer<Float>, _ beta: Float) -> Void) {
        guard requiresGrad else { return }
        if grad == nil {
            grad = makeBuffer(count) { body($0, 0) }
        } else {
            grad!.withUnsafeMutableBufferPointer { body($0.baseAddress!, 1) }
        }
    }

    /// Computes the gradient of this scalar with respect to every tensor that requires grad
    /// and led to it. Gradients *accumulate* into `grad` (call `zeroGrad` on parameters
    /// between steps). Unless `retainGraph` is true, intermediate results release their graph
    /// and gradient afterwards, so the graph can be differentiated once; reaching a released
    /// part again (a second loss over a shared trunk) stops with a message rather than giving
    /// silently wrong gradients. Backward rules read the inputs as they were at forward time.
    public func backward(retainGraph: Bool = false) {
        precondition(count == 1, "backward() needs a scalar, shape is \(shape)")
        backward(seed: [1], retainGraph: retainGraph)
    }

    /// Backward pass from a non-scalar tensor, seeded with `seed` (its "output gradient").
    public func backward(seed: [Float], retainGraph: Bool = false) {
        precondition(seed.count == count, "seed has \(seed.count) values for shape \(shape)")
        let order = topologicalOrder()
        for node in order where node.graphReleased {
            preconditionFailure("backward(): part of this graph was already freed by an earlier backward(); "
                                + "add the losses and call backward() once, or pass retainGraph: true to the first call")
        }
        grad = seed
        for node in order.reversed() {
            guard let rule = node.backwardFn else { continue }
            if node.grad != nil { rule(node) }
            if retainGraph {
                if node !== self && !node.parents.isEmpty { node.grad = nil }
                continue
            }
            // Free the graph as we go: interior nodes are not needed again.
            node.backwardFn = nil
            node.parents = []
            node.graphReleased = true
            if node !== self { node.grad = nil }
        }
    }

    /// Nodes reachable from `self` through `parents`, each after all of its inputs.
    func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative DFS: (node, next parent index to visit).
        var stack: [(Tensor, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while !stack.isEmpty {
            let (node, i) = stack[stack.count - 1]
            if i < node.parents.count {
                stack[stack.count - 1].1 = i + 1
                let p = node.parents[i]
                if p.requiresGrad, visited.insert(ObjectIdentifier(p)).inserted {
                    stack.append((p, 0))
                }
            } else {
                order.append(node)
                stack.removeLast()
            }
        }
        return order
    }

    /// Drops the gradient (call between optimisation steps).
    public func zeroGrad() { grad = nil }
}
