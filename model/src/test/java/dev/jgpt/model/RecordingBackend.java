package dev.jgpt.model;

import dev.jgpt.api.DType;
import dev.jgpt.api.Gelu;
import dev.jgpt.api.Tensor;
import dev.jgpt.api.TensorBackend;
import dev.jgpt.api.WeightData;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A test backend that only takes weights: it records each {@link WeightData} it is given (by name) and computes
 * nothing. For loader tests in this module, which depends on no real backend.
 */
final class RecordingBackend implements TensorBackend {
    final Map<String, WeightData> received = new LinkedHashMap<>();
    private final Set<DType> keeps;
    int released;

    RecordingBackend(DType... keeps) {
        this.keeps = EnumSet.of(DType.F32, keeps);
    }

    private record Shaped(int[] shape) implements Tensor {
    }

    @Override
    public Tensor weight(WeightData w) {
        received.put(w.name(), w);
        return new Shaped(w.shape());
    }

    @Override
    public Set<DType> weightTypes() {
        return keeps;
    }

    @Override
    public void release(Tensor t) {
        released++;
    }

    @Override
    public Tensor fromArray(float[] data, int... shape) {
        return new Shaped(shape.clone());
    }

    @Override
    public float[] toArray(Tensor t) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Tensor gatherRows(Tensor table, int[] ids) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Tensor matmul(Tensor x, Tensor w) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Tensor gelu(Tensor x, Gelu form) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Tensor softmax(Tensor x) {
        throw new UnsupportedOperationException();
    }
}
