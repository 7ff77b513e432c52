package org.sparrowmesh.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.smallrye.mutiny.subscription.MultiEmitter;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.proto.v1.TurnEvent;

/** The concurrent-turn limit, the token bucket and the key check without booting the app. */
class TurnAdmissionTest {

    static SecuritySettings settings(int maxTurns) {
        return new SecuritySettings() {
            public boolean apiKeysEnabled() { return false; }
            public Optional<List<String>> apiKeys() { return Optional.empty(); }
            public Optional<String> apiKeysFile() { return Optional.empty(); }
            public int rateLimitPerMinute() { return 0; }
            public int rateLimitBurst() { return 10; }
            public int maxConcurrentTurns() { return maxTurns; }
            public Duration busyRetryAfter() { return Duration.ofSeconds(2); }
        };
    }

    @Test
    void aTurnBeyondTheLimitIsRefusedAtOnceAndThePermitComesBackWhenATurnEndsOrIsCancelled() {
        TurnAdmission admission = new TurnAdmission(settings(2));
        AtomicReference<MultiEmitter<? super TurnEvent>> first = new AtomicReference<>();
        AssertSubscriber<TurnEvent> a = admission.admit(() -> Multi.createFrom().<TurnEvent>emitter(first::set)).subscribe()
                .withSubscriber(AssertSubscriber.create(10));
        AssertSubscriber<TurnEvent> b = admission.admit(() -> Multi.createFrom().<TurnEvent>emitter(e -> { })).subscribe()
                .withSubscriber(AssertSubscriber.create(10));
        assertThat(admission.available()).isZero();

        AssertSubscriber<TurnEvent> c = admission.admit(() -> Multi.createFrom().empty()).subscribe().withSubscriber(AssertSubscriber.create(10));
        c.assertFailedWith(TooManyRequestsException.class, "retry after 2 s");
        assertThat(((TooManyRequestsException) c.getFailure()).retryAfter()).isEqualTo(Duration.ofSeconds(2));

        first.get().complete();
        a.assertCompleted();
        assertThat(admission.available()).isEqualTo(1);
        b.cancel();
        assertThat(admission.available()).isEqualTo(2);
    }

    @Test
    void aTurnThatFailsItsChecksGivesThePermitBack() {
        TurnAdmission admission = new TurnAdmission(settings(1));
        admission.admit(() -> { throw new IllegalArgumentException("turn text is empty"); }).subscribe()
                .withSubscriber(AssertSubscriber.create(1)).assertFailedWith(IllegalArgumentException.class, "turn text is empty");
        assertThat(admission.available()).isEqualTo(1);
    }

    @Test
    void theBucketRefusesAfterItsBurstAndSaysWhenToComeBack() {
        long[] now = {0};
        RateLimiter limiter = new RateLimiter(60, 2, () -> now[0]);   // one a second after 2
        assertThat(limiter.acquire("k")).isZero();
        assertThat(limiter.acquire("k")).isZero();
        assertThat(limiter.acquire("k")).isEqualTo(Duration.ofSeconds(1));
        assertThat(limiter.acquire("other")).isZero();
        now[0] += 1_000_000_000L;
        assertThat(limiter.acquire("k")).isZero();
    }

    @Test
    void keysAreCheckedWholeAndThePrincipalNeverIsTheKey() {
        ApiKeys keys = new ApiKeys(true, List.of("alpha", " beta "), Optional.empty());
        assertThat(keys.check("alpha").principal()).isEqualTo("key-1");
        assertThat(keys.check("beta").principal()).isEqualTo("key-2");
        assertThat(keys.check("alph").allowed()).isFalse();
        assertThat(keys.check("alphaa").allowed()).isFalse();
        assertThat(keys.check(null).reason()).contains("x-api-key");
        assertThat(ApiKeys.presentedKey(null, "Bearer abc")).isEqualTo("abc");
        assertThat(ApiKeys.presentedKey(null, "Basic abc")).isNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ApiKeys(true, List.of(), Optional.empty()))
                .hasMessageContaining("MESH_API_KEYS");
    }
}
