// TensorBenchmark: how close the tensor core gets to what OpenBLAS can do on this machine, and
// how fast it trains the recipe's MLP and a small CNN on Fashion-MNIST.
//
// gemm_gflops   raw cblas_sgemm over exactly the GEMMs one training step of a 784-1024-1024-10
//               MLP (batch 256) performs: 3 forward, 3 weight-gradient, 2 input-gradient
// train_gflops  the same FLOPs divided by the time of a full training step through the tensor
//               core (forward, backward, Adam); gemm_efficiency = train / gemm
import Datasets
import Foundation
import NN
import TensorCore

public struct TensorBenchmarkResult: Codable, Sendable {
    public var gemm_gflops: Double
    public var train_gflops: Double
    public var gemm_efficiency: Double
    public var mlp_images_per_s: Double
    public var mlp_images_per_s_1thread: Double
    /// Images/s if a 784-256-128-10 step (batch 128) cost only its raw GEMMs: the ceiling
    /// OpenBLAS sets for mlp_images_per_s on this machine.
    public var mlp_gemm_bound_images_per_s: Double
    public var cnn_images_per_s: Double
    /// The residual net of sweeps/fashion-resnet.yaml at its defaults (see `resnet`).
    public var resnet_images_per_s: Double
    /// Peak resident memory of the whole run (with `--only` one model: that model's).
    public var peak_rss_mb: Double
    public var blas_threads: Int
    public var data: String
}

public struct TensorBenchmark {
    public var threads: Int
    public var seconds: Double
    public var dataDirectory: String
    /// Figures to measure (all when empty): "gemm", "mlp", "mlp1", "cnn", "resnet".
    public var only: Set<String> = []
    /// Called with a line of progress.
    public var progress: (String) -> Void

    public init(threads: Int = 2, seconds: Double = 3, dataDirectory: String = Dataset.fashionMNISTDirectory,
                progress: @escaping (String) -> Void = { _ in }) {
        self.threads = threads
        self.seconds = seconds
        self.dataDirectory = dataDirectory
        self.progress = progress
    }

    public func run() throws -> TensorBenchmarkResult {
        func wanted(_ k: String) -> Bool { only.isEmpty || only.contains(k) }
        Allocator.keepFreedMemory()
        BLAS.setThreads(threads)
        var (gemm, train, mlp, mlp1, cnn, bound) = (Double.nan, Double.nan, Double.nan, Double.nan, Double.nan, Double.nan)
        var resnet = Double.nan
        if wanted("gemm") {
            progress("GEMM roofline (784-1024-1024-10, batch 256)…")
            (gemm, train) = mlpEfficiency()
        }
        progress("loading Fashion-MNIST from \(dataDirectory)…")
        let (data, source) = try loadTrainingData()
        if wanted("mlp") {
            progress("MLP 784-256-128-10, batch 128, \(threads) BLAS threads…")
            mlp = imagesPerSecond(data: data, batch: 128, makeModel: TensorBenchmark.mlp)
            bound = 128 / TensorBenchmark.rawGEMMTime(sizes: [784, 256, 128, 10], batch: 128, seconds: seconds).0
        }
        if wanted("mlp1") {
            BLAS.setThreads(1)
            progress("MLP, 1 BLAS thread…")
            mlp1 = imagesPerSecond(data: data, batch: 128, makeModel: TensorBenchmark.mlp)
            BLAS.setThreads(threads)
        }
        if wanted("cnn") {
            progress("CNN conv32-pool-conv64-pool-128-10, batch 128…")
            cnn = imagesPerSecond(data: data, batch: 128, batchesPerWindow: 20, makeModel: TensorBenchmark.cnn)
        }
        if wanted("resnet") {
            progress("ResNet of sweeps/fashion-resnet.yaml (32 channels, 1 block), batch 128…")
            resnet = imagesPerSecond(data: data, batch: 128, batchesPerWindow: 8, makeModel: TensorBenchmark.resnet)
        }
        return TensorBenchmarkResult(gemm_gflops: gemm, train_gflops: train, gemm_efficiency: train / gemm,
                                     mlp_images_per_s: mlp, mlp_images_per_s_1thread: mlp1, mlp_gemm_bound_images_per_s: bound, cnn_images_per_s: cnn, resnet_images_per_s: resnet,
                                     peak_rss_mb: TensorBenchmark.peakRSSMegabytes(), blas_threads: threads, data: source)
    }

    // MARK: GEMM efficiency

    /// (raw GEMM GFLOP/s, tensor-core training GFLOP/s) for the 784-1024-1024-10 MLP at batch 256.
    func mlpEfficiency() -> (Double, Double) {
        let batch = 256
        var rng = RNG(seed: 1)
        let (gemmTime, flops) = TensorBenchmark.rawGEMMTime(sizes: [784, 1024, 1024, 10], batch: batch, seconds: seconds)
        let model = Sequential(Dense(784, 1024, rng: &rng), Activation(.relu), Dense(1024, 1024, rng: &rng),
                               Activation(.relu), Dense(1024, 10, rng: &rng))
        let params = model.parameters
        let opt = Adam(learningRate: 1e-4)
        let x = Tensor.uniform([batch, 784], rng: &rng)
        let labels = (0..<batch).map { $0 % 10 }
        let stepTime = TensorBenchmark.bestTime(seconds: seconds) {
            model.zeroGrad()
            Loss.softmaxCrossEntropy(model(x), labels: labels).backward()
            opt.step(params)
        }
        return (flops / gemmTime / 1e9, flops / stepTime / 1e9)
    }

    /// Best time of the GEMMs one training step of an MLP with these layer sizes performs
    /// (forward Y = X·W, dW = Xᵀ·dY, and dX = dY·Wᵀ except for the input), and their FLOPs.
    static func rawGEMMTime(sizes: [Int], batch: Int, seconds: Double) -> (Double, Double) {
        var gemms: [(Bool, Bool, Int, Int, Int)] = []  // (transA, transB, m, n, k)
        for l in 0..<(sizes.count - 1) {
            let i = sizes[l], o = sizes[l + 1]
            gemms.append((false, false, batch, o, i))
            gemms.append((true, false, i, o, batch))
            if l > 0 { gemms.append((false, true, batch, i, o)) }
        }
        let flops = gemms.reduce(0.0) { $0 + 2.0 * Double($1.2 * $1.3 * $1.4) }
        let size = gemms.map { max($0.2 * $0.4, $0.4 * $0.3, $0.2 * $0.3) }.max()!
        var rng = RNG(seed: 1)
        let a = rng.uniformArray(size), b = rng.uniformArray(size)
        var c = [Float](repeating: 0, count: size)
        let time = bestTime(seconds: seconds) {
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                for (ta, tb, m, n, k) in gemms {
                    BLAS.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, a: pa.baseAddress!, lda: ta ? m : k,
                               b: pb.baseAddress!, ldb: tb ? k : n, beta: 0, c: pc.baseAddress!, ldc: n)
                }
            } } }
        }
        return (time, flops)
    }

    // MARK: Images per second

    static func mlp(_ rng: inout RNG) -> any Layer {
        Sequential(Dense(784, 256, rng: &rng), Activation(.relu), Dense(256, 128, rng: &rng),
                   Activation(.relu), Dense(128, 10, rng: &rng))
    }

    static func cnn(_ rng: inout RNG) -> any Layer {
        Sequential(Reshape([28, 28, 1]),
                   Conv2D(inChannels: 1, outChannels: 32, kernel: 3, rng: &rng), Activation(.relu), MaxPool2D(kernel: 2),
                   Conv2D(inChannels: 32, outChannels: 64, kernel: 3, rng: &rng), Activation(.relu), MaxPool2D(kernel: 2),
                   Flatten(), Dense(7 * 7 * 64, 128, rng: &rng), Activation(.relu), Dense(128, 10, rng: &rng))
    }

    /// sweeps/fashion-resnet.yaml at its defaults (channels 32, blocks 1, width 128, ReLU; the
    /// bench trains without augmentation and with dropout 0.3 as the file's default): stem conv +
    /// batch norm + ReLU + 2×2 pool, one residual block at 14×14, a stride-2 conv to 64 channels,
    /// a residual block at 7×7, flatten, dropout, dense 128, ReLU, dense 10. Convolutions ahead of
    /// batch norm have no bias, as the layer language builds them. 514,570 parameters.
    static func resnet(_ rng: inout RNG) -> any Layer {
        func conv(_ i: Int, _ o: Int, stride: Int = 1) -> Conv2D { Conv2D(inChannels: i, outChannels: o, kernel: 3, stride: stride, bias: false, rng: &rng) }
        func block(_ c: Int) -> Residual {
            Residual(inner: Sequential(conv(c, c), BatchNorm(features: c), Activation(.relu), conv(c, c), BatchNorm(features: c)))
        }
        let stem = conv(1, 32), down = conv(32, 64, stride: 2), first = block(32), second = block(64)
        return Sequential(Reshape([28, 28, 1]), stem, BatchNorm(features: 32), Activation(.relu), MaxPool2D(kernel: 2),
                          first, Activation(.relu), down, BatchNorm(features: 64), Activation(.relu), second, Activation(.relu),
                          Flatten(), Dropout(rate: 0.3, rng: &rng), Dense(7 * 7 * 64, 128, rng: &rng), Activation(.relu),
                          Dense(128, 10, rng: &rng))
    }

    /// Training images/s (forward, backward, Adam) over shuffled batches: after a warm-up,
    /// `windows` timed windows of `batchesPerWindow` batches each (`nil`: one whole epoch, as the
    /// numpy anchor times it); the median of the windows that other processes left quiet (all
    /// windows when none was).
    func imagesPerSecond(data: Dataset, batch: Int, windows: Int = 3, batchesPerWindow: Int? = nil,
                         makeModel: (inout RNG) -> any Layer) -> Double {
        var rng = RNG(seed: 42)
        let model = makeModel(&rng)
        let params = model.parameters
        let opt = Adam(learningRate: 1e-3)
        let batcher = Batcher(dataset: data, batchSize: batch, rng: rng.derived(stream: 9))
        let perWindow = batchesPerWindow ?? batcher.batchesPerEpoch
        var epoch = 0
        /// Runs `count` training steps, each call starting a new epoch (fresh order); returns images seen.
        func train(_ count: Int) -> Int {
            var steps = 0, images = 0
            while steps < count {
                batcher.forEachBatch(epoch: epoch, maxBatches: count - steps) { x, y in
                    model.zeroGrad()
                    Loss.softmaxCrossEntropy(model(x), labels: y).backward()
                    opt.step(params)
                    steps += 1
                    images += y.count
                }
                epoch += 1
            }
            return images
        }
        _ = train(5)
        var clean: [Double] = [], all: [Double] = []
        for _ in 0..<windows {
            QuietMeter.waitQuiet(maxWait: 10)
            let meter = QuietMeter()
            let images = train(perWindow)
            let (wall, others) = meter.stop()
            all.append(Double(images) / wall)
            if others < 0.05 { clean.append(Double(images) / wall) }
        }
        let use = (clean.isEmpty ? all : clean).sorted()
        return use[use.count / 2]
    }

    /// Fashion-MNIST's first 50k training images (the anchors' split), or synthetic data of the
    /// same shape when the dataset is not installed.
    func loadTrainingData() throws -> (Dataset, String) {
        if FileManager.default.fileExists(atPath: dataDirectory) {
            let full = try Dataset.loadIDX(directory: dataDirectory, split: .train)
            return (full.slice(0..<min(50_000, full.count)), "fashion-mnist (first 50,000 training images)")
        }
        var rng = RNG(seed: 3)
        let n = 10_000
        return (Dataset(features: rng.uniformArray(n * 784), labels: (0..<n).map { $0 % 10 }, featureCount: 784,
                        classCount: 10, imageShape: [28, 28, 1]), "synthetic (dataset not installed)")
    }

    // MARK: Timing

    static func elapsed(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// The fastest of repeated runs of `body` within about `seconds` (at least 3 runs after a warm-up):
    /// the least disturbed by other processes on a shared machine.
    static func bestTime(seconds: Double, _ body: () -> Void) -> Double {
        body()
        var best = Double.infinity, runs = 0
        let start = DispatchTime.now()
        while runs < 3 || elapsed(since: start) < seconds {
            let t0 = DispatchTime.now()
            body()
            best = min(best, elapsed(since: t0))
            runs += 1
        }
        return best
    }

    /// Peak resident set size of this process, in MiB.
    public static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024  // Linux reports KiB
    }
}
