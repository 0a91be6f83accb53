package dev.jgpt.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A test class whose tests share one server on the sort model ({@link TestServer}), started before them. */
abstract class OneServerPerClass {
    static TestServer s;

    @BeforeAll
    static void start() {
        s = new TestServer();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        s.close();
    }
}
