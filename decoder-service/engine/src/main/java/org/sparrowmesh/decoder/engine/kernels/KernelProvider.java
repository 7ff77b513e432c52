package org.sparrowmesh.decoder.engine.kernels;

import java.lang.System.Logger.Level;

/**
 * Decides once, at start-up, whether the Vector API kernels run or the scalar reference does,
 * and says why when it falls back. The Vector API needs {@code --add-modules jdk.incubator.vector}
 * on the command line and a CPU with at least 128-bit float vectors; {@code
 * -Dsparrowmesh.kernels=scalar} forces the scalar path (to compare, or to rule the kernels out).
 */
public final class KernelProvider {

    /** System property that forces the scalar kernels when set to {@code scalar}. */
    public static final String PROPERTY = "sparrowmesh.kernels";

    private static final System.Logger LOG = System.getLogger(KernelProvider.class.getName());
    private static final boolean VECTOR = decide();

    private KernelProvider() {
    }

    /** Whether the Vector API kernels are in use. */
    public static boolean vectorEnabled() {
        return VECTOR;
    }

    /** A line for logs and ModelInfo: which kernels run and at what width. */
    public static String description() {
        return VECTOR
                ? "Vector API, " + VectorKernels.F.vectorBitSize() + "-bit (" + VectorKernels.F.length() + " floats)"
                : "scalar Java";
    }

    private static boolean decide() {
        if ("scalar".equalsIgnoreCase(System.getProperty(PROPERTY, ""))) {
            LOG.log(Level.INFO, "decoder kernels: scalar (forced by -D" + PROPERTY + "=scalar)");
            return false;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            LOG.log(Level.WARNING, "decoder kernels: scalar, because the Vector API is not available:"
                    + " pass --add-modules jdk.incubator.vector to the JVM");
            return false;
        }
        int lanes = VectorKernels.F.length();
        if (lanes < 4) {
            LOG.log(Level.WARNING, "decoder kernels: scalar, because this CPU's preferred float vector holds only "
                    + lanes + " lane(s)");
            return false;
        }
        if (lanes > 16) {
            // the block kernels pair vectors inside 32-value blocks: at most 16 float lanes
            LOG.log(Level.WARNING, "decoder kernels: scalar, because this CPU's preferred float vector holds "
                    + lanes + " lanes and the block kernels are written for at most 16");
            return false;
        }
        LOG.log(Level.DEBUG, "decoder kernels: " + "Vector API, " + VectorKernels.F.vectorBitSize() + "-bit");
        return true;
    }
}
