// EpochRecord: one epoch of one trial, as a worker reports it to rank 0 and as the store keeps it.

/// One epoch of one trial: the training averages and a full pass over the validation split.
public struct EpochRecord: Sendable, Equatable, Codable {
    public var trial: Int
    /// 1-based.
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var validationLoss: Double
    public var validationAccuracy: Double
    public var learningRate: Double
    public var seconds: Double

    /// The value of the sweep metric (`val_accuracy`, else `val_loss`) at this epoch.
    public func value(of metric: MetricSpec) -> Double {
        metric.value(validationLoss: validationLoss, validationAccuracy: validationAccuracy)
    }

    public init(trial: Int, epoch: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double,
                validationAccuracy: Double, learningRate: Double, seconds: Double) {
        self.trial = trial
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
    }
}

