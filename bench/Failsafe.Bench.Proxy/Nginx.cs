using System.Globalization;

namespace Failsafe.Bench.Proxy;

/// <summary>nginx as the reference proxy: one worker, keep-alive to the upstream, the same headers added as Failsafe adds.</summary>
internal static class Nginx
{
    public static async Task<Child> StartAsync(string directory, int port, int upstreamPort, bool pin)
    {
        var config = Path.Combine(directory, "nginx.conf");
        var user = Environment.UserName == "root" ? "user root;" : "";
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $$"""
            {{user}}
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections 4096; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                upstream backend {
                    server 127.0.0.1:{{upstreamPort}};
                    keepalive 128;
                }
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass http://backend;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $http_host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        proxy_set_header X-Forwarded-Host $http_host;
                        add_header X-Failsafe-Version 1.0.0;
                    }
                }
            }
            """));
        return await Child.StartAsync("nginx", $"-c {config} -g \"daemon off;\"", port, pin);
    }
}
