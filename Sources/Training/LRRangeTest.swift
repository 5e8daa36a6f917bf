// LRRangeTest: Smith's learning-rate range test (Smith 2017, "Cyclical Learning Rates"; the
// fastai lr_find). The rate ramps exponentially from `minRate` to `maxRate` over `steps` batches;
// the loss is smoothed with a bias-corrected exponential moving average; the test stops once the
// smoothed loss exceeds `divergence` × its minimum. The suggestion is the rate where the smoothed
// loss falls fastest (steepest negative slope against log rate) before the minimum.
import Datasets
import Foundation
import NN
import TensorCore

public struct LRRangeTest {
    public struct Point: Sendable, Equatable, Codable {
        public var step: Int
        public var learningRate: Double
        public var loss: Double
        public var smoothedLoss: Double
    }

    public struct Result: Sendable {
        public var points: [Point]
        /// Steepest descent of the smoothed loss: the rate to start from.
        public var suggested: Double
        /// The rate at the smoothed loss's minimum (too high to train at; a tenth of it is the
        /// other common rule).
        public var minimumLossRate: Double
        /// True when the loss diverged before `maxRate`.
        public var diverged: Bool
    }

    public var config: TrainingConfig
    public var data: PreparedData
    public var seed: UInt64
    public var minRate = 1e-7
    public var maxRate = 10.0
    public var steps = 200
    public var smoothing = 0.98
    public var divergence = 4.0

    public init(config: TrainingConfig, data: PreparedData, seed: UInt64) {
        self.config = config
        self.data = data
        self.seed = seed
    }

    public func run(progress: (Int, Int) -> Void = { _, _ in }) throws -> Result {
        var rng = RNG(seed: seed, stream: 1)
        let (net, _) = try ModelBuilder.build(config, for: data, rng: &rng)
        let optimizer = Trainer.makeOptimizer(config)
        let parameters = net.parameters
        let batcher = Batcher(dataset: data.train, batchSize: min(config.batchSize, data.train.count), rng: RNG(seed: seed, stream: 2))
        let growth = Foundation.pow(maxRate / minRate, 1 / Double(max(steps - 1, 1)))
        var points: [Point] = []
        var average = 0.0, best = Double.infinity, diverged = false
        var epoch = 0
        let lossKind = config.loss.resolved(regression: data.isRegression)
        net.isTraining = true
        outer: while points.count < steps {
            var stop = false
            batcher.forEachIndexedBatch(epoch: epoch, maxBatches: steps - points.count) { x, labels, indices in
                guard !stop else { return }
                let step = points.count
                let rate = minRate * Foundation.pow(growth, Double(step))
                let loss = lossKind.batchLoss(net(x), dataset: data.train, labels: labels, indices: indices,
                                              labelSmoothing: Float(config.labelSmoothing))
                let value = Double(loss.item)
                average = smoothing * average + (1 - smoothing) * value
                let smoothed = average / (1 - Foundation.pow(smoothing, Double(step + 1)))
                points.append(Point(step: step, learningRate: rate, loss: value, smoothedLoss: smoothed))
                progress(step + 1, steps)
                if !value.isFinite || smoothed > divergence * best { diverged = true; stop = true; return }
                best = min(best, smoothed)
                optimizer.learningRate = Float(rate)
                optimizer.minimize(loss, parameters: parameters, clipNorm: Float(config.clipNorm))
            }
            if stop { break outer }
            epoch += 1
        }
        return Result(points: points, suggested: Self.steepest(points), minimumLossRate: Self.minimum(points).learningRate, diverged: diverged)
    }

    static func minimum(_ points: [Point]) -> Point {
        points.filter { $0.smoothedLoss.isFinite }.min { $0.smoothedLoss < $1.smoothedLoss } ?? points[0]
    }

    /// The rate with the most negative slope of the smoothed loss against ln(rate), between the
    /// first tenth (EMA warm-up noise) and the minimum.
    static func steepest(_ points: [Point]) -> Double {
        guard points.count >= 3 else { return points.first?.learningRate ?? 0 }
        let end = minimum(points).step
        let start = min(points.count / 10, max(end - 1, 0))
        var bestSlope = Double.infinity, rate = points[end].learningRate
        if end - start >= 2 {
            for i in (start + 1)..<end {
                let slope = (points[i + 1].smoothedLoss - points[i - 1].smoothedLoss)
                    / Foundation.log(points[i + 1].learningRate / points[i - 1].learningRate)
                if slope < bestSlope { bestSlope = slope; rate = points[i].learningRate }
            }
        }
        return rate
    }
}
