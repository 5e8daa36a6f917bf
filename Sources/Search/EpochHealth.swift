// EpochHealth: how each layer of one trial's network trains at one epoch (gradient and weight
// norms, the update-to-weight ratio, activation statistics, dead ReLUs, saturation), measured on a
// fixed batch, and the trial's predictions on a fixed set of validation examples. From the
// trainer to the worker's report to rank 0, the store, `hpsearch status --trial` and the report.

/// One parametrised layer (dense, conv2d, batch norm, a residual block, …) at one epoch.
public struct LayerHealth: Sendable, Equatable, Codable {
    /// The layer's position in the model's layer list (0-based), as `hpsearch train --summary` numbers them.
    public var layer: Int
    /// The layer's name in the layer language (`dense`, `conv2d`, `batchnorm`, `residual`, …).
    public var name: String
    /// The activation that follows it before the next parametrised layer (`relu`, `tanh`,
    /// `sigmoid`, …), or "" when none does.
    public var activation: String
    /// Trainable scalars in the layer.
    public var parameters: Int
    /// The L2 norm of the loss gradient with respect to all of the layer's parameters, on the fixed batch.
    public var gradientNorm: Double
    /// The L2 norm of the layer's parameters.
    public var weightNorm: Double
    /// ‖Δθ‖ / ‖θ‖ of the epoch's last optimizer step (the ~1e-3 rule of thumb); NaN at epoch 0.
    public var updateRatio: Double
    /// Mean and standard deviation over the fixed batch of what the layer hands on: the
    /// following activation's output when there is one, else the layer's own output.
    public var activationMean: Double
    public var activationStd: Double
    /// Following ReLU: the fraction of its units (features, or channel × position for
    /// convolutions) that are zero for every example of the fixed batch; NaN without a ReLU.
    public var deadFraction: Double
    /// Following tanh or sigmoid: the fraction of outputs within 0.01 of the asymptotes
    /// (|tanh| > 0.99; sigmoid < 0.01 or > 0.99); NaN otherwise.
    public var saturation: Double

    public init(layer: Int, name: String, activation: String = "", parameters: Int, gradientNorm: Double, weightNorm: Double,
                updateRatio: Double = .nan, activationMean: Double, activationStd: Double, deadFraction: Double = .nan,
                saturation: Double = .nan) {
        self.layer = layer
        self.name = name
        self.activation = activation
        self.parameters = parameters
        self.gradientNorm = gradientNorm
        self.weightNorm = weightNorm
        self.updateRatio = updateRatio
        self.activationMean = activationMean
        self.activationStd = activationStd
        self.deadFraction = deadFraction
        self.saturation = saturation
    }

    /// "3 dense→relu": the layer as tables label it.
    public var label: String { "\(layer) \(name)" + (activation.isEmpty ? "" : "→" + activation) }
}

/// One trial's health at one epoch.
public struct EpochHealth: Sendable, Equatable, Codable {
    public var trial: Int
    /// 1-based like `EpochRecord.epoch`; 0 is the network at initialisation, before any step.
    public var epoch: Int
    /// The loss on the fixed batch (evaluation mode, no label smoothing).
    public var loss: Double
    /// The parametrised layers, in model order.
    public var layers: [LayerHealth]
    /// Outputs per probe example: classes (probabilities) or regression targets (in the targets' units).
    public var outputs: Int
    /// The model's predictions on the first `probe.count / outputs` examples of the validation
    /// split, row by row (the same examples for every trial of a sweep).
    public var probe: [Float]

    public init(trial: Int, epoch: Int, loss: Double, layers: [LayerHealth], outputs: Int = 0, probe: [Float] = []) {
        self.trial = trial
        self.epoch = epoch
        self.loss = loss
        self.layers = layers
        self.outputs = outputs
        self.probe = probe
    }

    /// The global gradient norm over every layer.
    public var gradientNorm: Double { layers.reduce(0) { $0 + $1.gradientNorm * $1.gradientNorm }.squareRoot() }

    /// Examples in the probe.
    public var probeCount: Int { outputs > 0 ? probe.count / outputs : 0 }
}

// MARK: Binary form (the worker's report to rank 0)

extension EpochHealth {
    /// Little-endian: trial i64, epoch i64, loss f64, outputs u32, probe count u32 and f32s, layer
    /// count u32, per layer: index i64, name and activation (u16 length + UTF-8), parameters i64,
    /// then the seven statistics as f64 (NaN kept).
    public func encoded() -> [UInt8] {
        var b: [UInt8] = []
        b.reserveCapacity(32 + probe.count * 8 + layers.count * 90)
        func put<T: FixedWidthInteger>(_ v: T) { var x = v.littleEndian; withUnsafeBytes(of: &x) { b += $0 } }
        func put(_ d: Double) { put(d.bitPattern) }
        func put(_ s: String) { let u = Array(s.utf8.prefix(Int(UInt16.max))); put(UInt16(u.count)); b += u }
        put(Int64(trial)); put(Int64(epoch)); put(loss)
        put(UInt32(outputs)); put(UInt32(probe.count)); for v in probe { put(v.bitPattern) }
        put(UInt32(layers.count))
        for l in layers {
            put(Int64(l.layer)); put(l.name); put(l.activation); put(Int64(l.parameters))
            for v in [l.gradientNorm, l.weightNorm, l.updateRatio, l.activationMean, l.activationStd, l.deadFraction, l.saturation] { put(v) }
        }
        return b
    }

    public struct DecodingError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Reads `encoded()`'s bytes; throws on truncated or trailing bytes.
    public static func decode<C: Collection<UInt8>>(_ bytes: C) throws -> EpochHealth where C.Index == Int {
        var at = bytes.startIndex
        func fail() -> DecodingError { DecodingError(description: "epoch health of \(bytes.count) bytes is truncated or damaged at byte \(at - bytes.startIndex)") }
        func take(_ n: Int) throws -> C.SubSequence {
            guard n >= 0, at + n <= bytes.endIndex else { throw fail() }
            defer { at += n }
            return bytes[at..<(at + n)]
        }
        func int<T: FixedWidthInteger>(_: T.Type) throws -> T { try take(MemoryLayout<T>.size).reversed().reduce(T(0)) { $0 << 8 | T($1) } }
        func double() throws -> Double { Double(bitPattern: try int(UInt64.self)) }
        func string() throws -> String { String(decoding: try take(Int(try int(UInt16.self))), as: UTF8.self) }
        let trial = Int(try int(Int64.self)), epoch = Int(try int(Int64.self)), loss = try double()
        let outputs = Int(try int(UInt32.self)), probeCount = Int(try int(UInt32.self))
        guard probeCount <= bytes.count / 4 else { throw fail() }
        var probe: [Float] = []
        probe.reserveCapacity(probeCount)
        for _ in 0..<probeCount { probe.append(Float(bitPattern: try int(UInt32.self))) }
        let layerCount = Int(try int(UInt32.self))
        guard layerCount <= bytes.count / 20 else { throw fail() }
        var layers: [LayerHealth] = []
        for _ in 0..<layerCount {
            let index = Int(try int(Int64.self)), name = try string(), activation = try string(), parameters = Int(try int(Int64.self))
            var v: [Double] = []
            for _ in 0..<7 { v.append(try double()) }
            layers.append(LayerHealth(layer: index, name: name, activation: activation, parameters: parameters, gradientNorm: v[0],
                                      weightNorm: v[1], updateRatio: v[2], activationMean: v[3], activationStd: v[4],
                                      deadFraction: v[5], saturation: v[6]))
        }
        guard at == bytes.endIndex else { throw fail() }
        return EpochHealth(trial: trial, epoch: epoch, loss: loss, layers: layers, outputs: outputs, probe: probe)
    }
}
