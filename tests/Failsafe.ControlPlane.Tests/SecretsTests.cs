using System.Net;
using System.Net.Http.Json;
using System.Text;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Hosting;
using Failsafe.ControlPlane.Secrets;
using Failsafe.ControlPlane.Storage;
using Failsafe.ControlPlane.Tests.Infrastructure;
using Failsafe.Tests.Common;
using Microsoft.Data.Sqlite;

namespace Failsafe.ControlPlane.Tests;

/// <summary>The secret vault through the real API of a real server: sealed at rest, versioned, never shown.</summary>
public sealed class SecretsTests
{
    [Fact]
    public async Task SetListDelete_ThroughTheApi_VersionsEachSet_AndAnswersCarryNoValue()
    {
        using var data = new TempDirectory("fs-secrets");
        await using var server = await TestServer.StartAsync(data.Path);
        using var admin = server.Admin();
        var first = NewValue();
        var second = NewValue();

        var v1 = await (await PutAsync(admin, "prod", "db-password", first)).ReadAsync<SecretInfo>();
        var v2Response = await PutAsync(admin, "prod", "db-password", second);
        var v2Body = await v2Response.Content.ReadAsStringAsync();
        var v2 = await v2Response.ReadAsync<SecretInfo>();
        await (await PutAsync(admin, "staging", "db-password", NewValue())).ReadAsync<SecretInfo>();
        await (await PutAsync(admin, "prod", "api.key_2", NewValue())).ReadAsync<SecretInfo>();

        Assert.Equal(("db-password", "prod", 1, "admin"), (v1.Name, v1.Environment, v1.Version, v1.UpdatedBy));
        Assert.Equal(2, v2.Version);
        Assert.DoesNotContain(second, v2Body, StringComparison.Ordinal);

        var allBody = await admin.GetStringAsync(ApiRoutes.Secrets);
        var all = await admin.GetJsonAsync<List<SecretInfo>>(ApiRoutes.Secrets);
        Assert.Equal(["prod/api.key_2", "prod/db-password", "staging/db-password"], all.Select(s => $"{s.Environment}/{s.Name}"));
        Assert.DoesNotContain(first, allBody, StringComparison.Ordinal);
        Assert.DoesNotContain(second, allBody, StringComparison.Ordinal);
        Assert.Equal(["api.key_2", "db-password"], (await admin.GetJsonAsync<List<SecretInfo>>(ApiRoutes.Secrets + "?environment=prod")).Select(s => s.Name));

        Assert.Equal(second, await RevealAsync(server, "prod", "db-password"));
        Assert.Equal(2, (await (await admin.DeleteAsync(ApiRoutes.SecretFor("prod", "db-password"))).ReadAsync<SecretInfo>()).Version);
        Assert.Null(await RevealAsync(server, "prod", "db-password"));
        var again = await (await admin.DeleteAsync(ApiRoutes.SecretFor("prod", "db-password"))).ReadErrorAsync();
        Assert.Equal("There is no secret db-password in prod.", again.Error);

        var events = await admin.GetJsonAsync<List<EventInfo>>(ApiRoutes.Events);
        Assert.Equal(
            ["secret.set secret/prod/db-password version 1", "secret.set secret/prod/db-password version 2", "secret.delete secret/prod/db-password version 2"],
            events.Where(e => e.Target == "secret/prod/db-password").Reverse().Select(e => $"{e.Action} {e.Target} {e.Detail}"));
    }

    [Fact]
    public async Task Set_Value_IsInNoAnswerEventLogLineNorDatabaseByte_PlainOrBase64()
    {
        using var data = new TempDirectory("fs-secrets");
        var logs = new CapturedLogs();
        var value = NewValue();
        await using (var server = await TestServer.StartAsync(data.Path, configure: logs.AddTo))
        {
            using var admin = server.Admin();
            var answers = new StringBuilder();
            answers.Append(await (await PutAsync(admin, "prod", "db-password", value)).Content.ReadAsStringAsync());
            answers.Append(await (await PutAsync(admin, "prod", "db-password", value + "-2")).Content.ReadAsStringAsync());

            // Mistakes that carry the value: malformed JSON, a wrong type, a bad name, a value too large.
            foreach (var body in new[] { $"{{\"value\": \"{value}\"", $"{{\"value\": {value}}}", $"{{\"value\": [\"{value}\"]}}", $"\"{value}\"" })
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                var response = await admin.PutAsync(ApiRoutes.SecretFor("prod", "db-password"), content);
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                answers.Append(await response.Content.ReadAsStringAsync());
            }

            answers.Append(await (await PutAsync(admin, "prod", "Not Valid", value)).ReadErrorAsync());
            answers.Append(await (await PutAsync(admin, "prod", "big", value + new string('x', 70_000))).ReadErrorAsync());
            answers.Append(await admin.GetStringAsync(ApiRoutes.Secrets));
            answers.Append(await admin.GetStringAsync(ApiRoutes.Events));
            answers.Append(await (await admin.PostAsync(ApiRoutes.SecretKeyRotation, null)).Content.ReadAsStringAsync());
            Assert.Equal(value + "-2", await RevealAsync(server, "prod", "db-password"));

            Assert.Contains("The request is not valid", answers.ToString(), StringComparison.Ordinal);
            Assert.Contains("A secret's value is at most 64 KiB.", answers.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(value, answers.ToString(), StringComparison.Ordinal);
            Assert.Contains("PUT https://127.0.0.1:" + server.BaseAddress.Port + "/api/v1/secrets/prod/db-password - 400", logs.Text, StringComparison.Ordinal);
            Assert.Contains("Trace Microsoft.AspNetCore", logs.Text, StringComparison.Ordinal); // every level, the framework's too
            Assert.DoesNotContain(value, logs.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(value, server.Output, StringComparison.Ordinal);
        }

        SqliteConnection.ClearAllPools();
        var bytes = Directory.GetFiles(data.Path, "failsafe.db*").SelectMany(File.ReadAllBytes).ToArray();
        Assert.True(bytes.Length > 0);
        foreach (var form in new[] { value, Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) })
        {
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(form)));
        }
    }

    [Fact]
    public async Task Reveal_RowsSwappedOrAltered_RefusesNamingTheSecret()
    {
        using var data = new TempDirectory("fs-secrets");
        await using var server = await TestServer.StartAsync(data.Path);
        using var admin = server.Admin();
        await (await PutAsync(admin, "prod", "a", NewValue())).ReadAsync<SecretInfo>();
        await (await PutAsync(admin, "prod", "b", NewValue())).ReadAsync<SecretInfo>();
        await server.Service<IDatabase>().WriteAsync(
            s => s.ExecuteAsync("UPDATE secrets SET sealed = (SELECT sealed FROM secrets WHERE name = 'b') WHERE name = 'a'"), default);

        var error = await Assert.ThrowsAsync<SecretUnavailableException>(() => RevealAsync(server, "prod", "a"));
        Assert.Equal(
            $"The secret a in prod does not unseal with key {server.Service<SecretKeyring>().Current.Id}: its row was altered or copied from another secret.",
            error.Message);
    }

    [Fact]
    public async Task Set_BadNamesAndEmptyValue_RefusedWithOneSentence()
    {
        using var data = new TempDirectory("fs-secrets");
        await using var server = await TestServer.StartAsync(data.Path);
        using var admin = server.Admin();

        Assert.Equal("A secret's value must not be empty.", (await (await PutAsync(admin, "prod", "x", "")).ReadErrorAsync()).Error);
        Assert.StartsWith("A secret name is 1 to 128", (await (await PutAsync(admin, "prod", "-x", "v")).ReadErrorAsync()).Error, StringComparison.Ordinal);
        Assert.StartsWith("An environment name is", (await (await PutAsync(admin, "Prod", "x", "v")).ReadErrorAsync()).Error, StringComparison.Ordinal);
        Assert.Empty(await admin.GetJsonAsync<List<SecretInfo>>(ApiRoutes.Secrets));
    }

    [Fact]
    public async Task FirstStart_CreatesKeyFileOwnerOnly_WithOneKeyNamedByItsHash()
    {
        using var data = new TempDirectory("fs-secrets");
        await using var server = await TestServer.StartAsync(data.Path);

        var path = data.Combine("secrets.keys");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var line = Assert.Single(File.ReadAllLines(path));
        var parts = line.Split(' ');
        Assert.Equal(SecretKey.IdOf(Convert.FromBase64String(parts[1])), parts[0]);
        Assert.Equal(12, parts[0].Length);
        Assert.Equal(parts[0], server.Service<SecretKeyring>().Current.Id);
    }

    [Fact]
    public async Task RotateKey_ReSealsEveryRow_DropsTheOldKeyFromTheFile_ValuesStillRevealed()
    {
        using var data = new TempDirectory("fs-secrets");
        var values = new Dictionary<string, string> { ["a"] = NewValue(), ["b"] = NewValue(), ["c"] = NewValue() };
        string newKey;
        await using (var server = await TestServer.StartAsync(data.Path))
        {
            using var admin = server.Admin();
            foreach (var (name, value) in values)
            {
                await (await PutAsync(admin, "prod", name, value)).ReadAsync<SecretInfo>();
            }

            var oldKey = server.Service<SecretKeyring>().Current.Id;
            var rotated = await (await admin.PostAsync(ApiRoutes.SecretKeyRotation, null)).ReadAsync<KeyRotated>();
            newKey = rotated.KeyId;

            Assert.Equal(3, rotated.Reencrypted);
            Assert.NotEqual(oldKey, newKey);
            Assert.Equal([newKey], await KeyIdsOfRowsAsync(server));
            Assert.Equal([newKey], KeyIdsInFile(data));
            Assert.DoesNotContain(oldKey, await File.ReadAllTextAsync(data.Combine("secrets.keys")), StringComparison.Ordinal);
            foreach (var (name, value) in values)
            {
                Assert.Equal(value, await RevealAsync(server, "prod", name));
            }

            var e = (await admin.GetJsonAsync<List<EventInfo>>(ApiRoutes.Events)).First();
            Assert.Equal(("secret.rotate-key", $"key {newKey}; 3 re-sealed"), (e.Action, e.Detail));
        }

        await using var restarted = await TestServer.StartAsync(data.Path);
        Assert.Equal(newKey, restarted.Service<SecretKeyring>().Current.Id);
        Assert.Equal(values["b"], await RevealAsync(restarted, "prod", "b"));
    }

    [Fact]
    public async Task RotateKey_CrashAfterTheNewKeyIsAppended_EveryValueReadableAfterRestart_AndTheNextRotationFinishes()
    {
        using var data = new TempDirectory("fs-secrets");
        var a = NewValue();
        string oldKey, newKey;
        await using (var server = await TestServer.StartAsync(data.Path))
        {
            using var admin = server.Admin();
            await (await PutAsync(admin, "prod", "a", a)).ReadAsync<SecretInfo>();
            oldKey = server.Service<SecretKeyring>().Current.Id;
            newKey = server.Service<SecretKeyring>().Add().Id; // step 1 of a rotation, then the "crash"
        }

        Assert.Equal([oldKey, newKey], KeyIdsInFile(data));
        await using var restarted = await TestServer.StartAsync(data.Path);
        using var client = restarted.Admin();
        var b = NewValue();
        await (await PutAsync(client, "prod", "b", b)).ReadAsync<SecretInfo>();

        Assert.Equal(a, await RevealAsync(restarted, "prod", "a"));
        Assert.Equal(b, await RevealAsync(restarted, "prod", "b"));
        Assert.Equal([newKey, oldKey], (await KeyIdsOfRowsAsync(restarted)).OrderBy(k => k == oldKey));

        var rotated = await (await client.PostAsync(ApiRoutes.SecretKeyRotation, null)).ReadAsync<KeyRotated>();
        Assert.Equal([rotated.KeyId], KeyIdsInFile(data));
        Assert.Equal(a, await RevealAsync(restarted, "prod", "a"));
    }

    [Fact]
    public async Task RotateKey_CrashAfterTheRowsAreReSealed_EveryValueReadableAfterRestart()
    {
        using var data = new TempDirectory("fs-secrets");
        var a = NewValue();
        string oldKey, newKey;
        await using (var server = await TestServer.StartAsync(data.Path))
        {
            using var admin = server.Admin();
            await (await PutAsync(admin, "prod", "a", a)).ReadAsync<SecretInfo>();
            oldKey = server.Service<SecretKeyring>().Current.Id;
            var key = server.Service<SecretKeyring>().Add();
            newKey = key.Id;
            Assert.Equal(1, await server.Service<SecretVault>().ResealAllAsync(key, Actor.System, default)); // steps 1 and 2, then the "crash"
        }

        Assert.Equal([oldKey, newKey], KeyIdsInFile(data));
        await using var restarted = await TestServer.StartAsync(data.Path);
        Assert.Equal([newKey], await KeyIdsOfRowsAsync(restarted));
        Assert.Equal(a, await RevealAsync(restarted, "prod", "a"));
    }

    [Fact]
    public async Task KeyFile_TornLastLineFromACrashedAppend_IsIgnored_AndTheNextKeyRewritesTheFile()
    {
        using var data = new TempDirectory("fs-secrets");
        var a = NewValue();
        await using (var server = await TestServer.StartAsync(data.Path))
        {
            using var admin = server.Admin();
            await (await PutAsync(admin, "prod", "a", a)).ReadAsync<SecretInfo>();
        }

        var path = data.Combine("secrets.keys");
        var whole = await File.ReadAllTextAsync(path);
        await File.AppendAllTextAsync(path, "0123456789ab QUJD");

        await using var restarted = await TestServer.StartAsync(data.Path);
        Assert.Equal(a, await RevealAsync(restarted, "prod", "a"));
        var next = restarted.Service<SecretKeyring>().Add();
        Assert.Equal(whole + next.Id + " " + Convert.ToBase64String(next.Material) + "\n", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Start_KeyFileMissingWhileSecretsExist_RefusesWithOneLine()
    {
        using var data = new TempDirectory("fs-secrets");
        string key;
        await using (var server = await TestServer.StartAsync(data.Path))
        {
            using var admin = server.Admin();
            await (await PutAsync(admin, "prod", "a", NewValue())).ReadAsync<SecretInfo>();
            key = server.Service<SecretKeyring>().Current.Id;
        }

        File.Delete(data.Combine("secrets.keys"));
        var error = await Assert.ThrowsAsync<ServerStartupException>(() => TestServer.StartAsync(data.Path));

        Assert.Equal(
            $"The secret key file {data.Combine("secrets.keys")} does not exist, yet the database holds secrets sealed with key {key}: "
            + "restore the file from a backup, or point --secret-key-file at it.",
            error.Message);
        Assert.False(File.Exists(data.Combine("secrets.keys")));
    }

    [Fact]
    public async Task Start_WrongKeyFile_RefusesNamingTheMissingKey()
    {
        using var data = new TempDirectory("fs-secrets");
        using var elsewhere = new TempDirectory("fs-keys");
        string key;
        await using (var server = await TestServer.StartAsync(data.Path))
        {
            using var admin = server.Admin();
            await (await PutAsync(admin, "prod", "a", NewValue())).ReadAsync<SecretInfo>();
            key = server.Service<SecretKeyring>().Current.Id;
        }

        var other = elsewhere.Combine("other.keys");
        var stranger = SecretKey.Create();
        await File.WriteAllTextAsync(other, $"{stranger.Id} {Convert.ToBase64String(stranger.Material)}\n");

        var error = await Assert.ThrowsAsync<ServerStartupException>(() => TestServer.StartAsync(data.Path, o => o with { SecretKeyFile = other }));
        Assert.Equal(
            $"The secret key file {other} does not hold key {key}, which sealed secrets in the database: it is the wrong file, or an old copy. Start with the file that holds it.",
            error.Message);
    }

    [Fact]
    public async Task Start_KeyFileGarbled_RefusesNamingTheLine()
    {
        using var data = new TempDirectory("fs-secrets");
        var path = data.Combine("custom.keys");
        var key = SecretKey.Create();
        await File.WriteAllTextAsync(path, $"# keys\n{key.Id} {Convert.ToBase64String(key.Material)}\nffffffffffff {Convert.ToBase64String(key.Material)}\n");

        var error = await Assert.ThrowsAsync<ServerStartupException>(() => TestServer.StartAsync(data.Path, o => o with { SecretKeyFile = path }));
        Assert.Equal(
            $"The secret key file {path}, line 3, is not \"KEY-ID BASE64-KEY\" with a 256-bit key whose id is the first 12 hex digits of its SHA-256.",
            error.Message);
        Assert.False(File.Exists(data.Combine("admin.token")));
    }

    [Fact]
    public async Task RotateKey_NonAdminToken_Forbidden_AndNothingChanges()
    {
        using var data = new TempDirectory("fs-secrets");
        await using var server = await TestServer.StartAsync(data.Path);
        using var admin = server.Admin();
        var created = await (await admin.PostJsonAsync(ApiRoutes.Tokens, new CreateApiToken("alice", ["release-managers"]))).ReadAsync<ApiTokenCreated>();
        using var alice = server.Client(created.Token);
        var before = await File.ReadAllTextAsync(data.Combine("secrets.keys"));

        var response = await alice.PostAsync(ApiRoutes.SecretKeyRotation, null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Only an admin token may rotate the secret key.", (await response.ReadErrorAsync()).Error);
        Assert.Equal(before, await File.ReadAllTextAsync(data.Combine("secrets.keys")));

        // Setting a secret needs no admin.
        Assert.Equal("alice", (await (await PutAsync(alice, "prod", "a", "v")).ReadAsync<SecretInfo>()).UpdatedBy);
    }

    private static string NewValue() => "s3cret-" + Guid.NewGuid().ToString("N");

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, string environment, string name, string value) =>
        client.PutAsJsonAsync(ApiRoutes.SecretFor(environment, name), new SetSecret(value), FailsafeJson.Options);

    private static Task<string?> RevealAsync(TestServer server, string environment, string name) =>
        server.ReadAsync(s => server.Service<SecretVault>().RevealAsync(s, environment, name));

    private static Task<List<string>> KeyIdsOfRowsAsync(TestServer server) => server.ReadAsync(SecretsStore.KeyIdsInUseAsync);

    private static List<string> KeyIdsInFile(TempDirectory data) =>
        File.ReadAllLines(data.Combine("secrets.keys")).Select(l => l.Split(' ')[0]).ToList();
}
