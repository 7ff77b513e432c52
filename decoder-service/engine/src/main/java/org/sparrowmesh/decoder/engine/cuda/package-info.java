/**
 * The decoder on NVIDIA GPUs: the CUDA driver API through FFM ({@link org.sparrowmesh.decoder.engine.cuda.CudaDriver}),
 * device detection that never throws ({@link org.sparrowmesh.decoder.engine.cuda.CudaDevice}), the kernels of
 * {@code src/main/cuda} ({@link org.sparrowmesh.decoder.engine.cuda.CudaKernels}) and a forward pass keeping
 * weights, activations and the KV cache on the device ({@link org.sparrowmesh.decoder.engine.cuda.CudaForwardPass}).
 *
 * <p>Maturity: the kernels' arithmetic is checked on the CPU (host_test against the Java engine); the device
 * path has not run on a GPU yet — see the README's "CUDA backend" section.
 */
package org.sparrowmesh.decoder.engine.cuda;
