// A throwaway Neo4j Community server for tests: embedded DBMS with the Bolt
// connector on 127.0.0.1, authentication disabled, HTTP off.
//
// Started by scripts/neo4j-test-server (which resolves the classpath with
// Maven); launched as a Java 17 single-file source program:
//
//   java -cp <classpath> scripts/Neo4jTestServer.java <home-dir> <state-dir> [port]
//
// <home-dir>   Neo4j home: data, transaction logs and neo4j.log go here.
// <state-dir>  where it writes, once ready: "pid" (this JVM), "port" (the Bolt
//              port actually bound) and last "ready".
// [port]       Bolt port; 0 (default) lets the OS pick a free one.
//
// Ready means: the default database ran `RETURN 1` through the embedded API,
// and a Bolt handshake on the bound port was answered with a protocol
// version. SIGTERM (or SIGINT) runs the shutdown hook, which shuts the DBMS
// down cleanly before the JVM exits.

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

public class Neo4jTestServer {
    private static final String HOST = "127.0.0.1";

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: Neo4jTestServer <home-dir> <state-dir> [port]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Path state = Path.of(args[1]).toAbsolutePath();
        int requestedPort = args.length == 3 ? Integer.parseInt(args[2]) : 0;

        write(state.resolve("pid"), Long.toString(ProcessHandle.current().pid()));

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, requestedPort))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, requestedPort))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(128))
                // Bolt's shutdown waits 5 s + 5 s by default; a test server need not.
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofMillis(500))
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofMillis(500))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("neo4j-test-server: shutting down");
            try {
                dbms.shutdown();
            } catch (Throwable t) {
                t.printStackTrace();
            }
            System.out.println("neo4j-test-server: stopped");
            stopped.countDown();
        }, "neo4j-test-server-shutdown"));

        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        long one = db.executeTransactionally("RETURN 1 AS one", java.util.Map.of(),
                r -> (Long) r.next().get("one"));
        if (one != 1L) {
            throw new IllegalStateException("RETURN 1 gave " + one);
        }

        int port = ((GraphDatabaseAPI) db).getDependencyResolver()
                .resolveDependency(ConnectorPortRegister.class)
                .getLocalAddress(ConnectorType.BOLT)
                .getPort();
        int version = boltHandshake(port, Duration.ofSeconds(60));
        write(state.resolve("port"), Integer.toString(port));
        write(state.resolve("ready"), "bolt://" + HOST + ":" + port);
        System.out.printf("neo4j-test-server: ready on bolt://%s:%d (Bolt %d.%d, home %s)%n",
                HOST, port, version & 0xff, (version >> 8) & 0xff, home);
        System.out.flush();

        stopped.await();
    }

    /** Bolt handshake: magic 0x6060B017 and four version proposals; returns the agreed version. */
    private static int boltHandshake(int port, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(HOST, port), 2000);
                s.setSoTimeout(5000);
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeInt(0x6060B017);
                out.writeInt(0x00080805); // 5.8 .. 5.0 (range of 8 minors)
                out.writeInt(0x00000404); // 4.4
                out.writeInt(0x00000004); // 4.0
                out.writeInt(0x00000003); // 3.0
                out.flush();
                int agreed = new DataInputStream(s.getInputStream()).readInt();
                if (agreed != 0) {
                    return agreed;
                }
                last = new IllegalStateException("server proposed no Bolt version");
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Bolt handshake on port " + port + " failed", last);
    }

    private static void write(Path file, String text) throws Exception {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
