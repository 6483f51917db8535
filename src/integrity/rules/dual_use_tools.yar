// Tools with honest uses that have no business being carried onto a crane network without
// an operator knowing: credential dumpers, remote execution, post-exploitation frameworks,
// network scanners and remote-support installers. Written for this project from public
// descriptions of the tools; each wants an executable header and tool-specific text.

rule DualUse_Mimikatz
{
    meta:
        description = "Mimikatz credential dumper (its module commands and author's signature)"
        family = "mimikatz"
        category = "dual-use"
        severity = "critical"
        reference = "https://github.com/gentilkiwi/mimikatz (tool description)"
    strings:
        $a1 = "sekurlsa::logonpasswords" ascii wide nocase
        $a2 = "lsadump::sam" ascii wide nocase
        $a3 = "kerberos::golden" ascii wide nocase
        $a4 = "privilege::debug" ascii wide nocase
        $b1 = "gentilkiwi" ascii wide nocase
        $b2 = "mimikatz" ascii wide nocase
    condition:
        2 of ($a*) or (1 of ($a*) and 1 of ($b*)) or (uint16(0) == 0x5A4D and all of ($b*))
}

rule DualUse_PsExec_PAExec
{
    meta:
        description = "Sysinternals PsExec or PAExec/RemCom: runs programs on other Windows hosts through a service it installs"
        family = "psexec"
        category = "dual-use"
        severity = "high"
        reference = "Microsoft Sysinternals, PsExec; PowerAdmin, PAExec (tool descriptions)"
    strings:
        $svc1 = "PSEXESVC" ascii wide
        $svc2 = "PAExec" ascii wide
        $svc3 = "RemComSvc" ascii wide
        $pipe = "\\\\.\\pipe\\" ascii wide nocase
    condition:
        uint16(0) == 0x5A4D and 1 of ($svc*) and $pipe
}

rule DualUse_CobaltStrike_Beacon
{
    meta:
        description = "Cobalt Strike beacon: its default named pipes, reflective loader export and beacon format strings"
        family = "cobaltstrike"
        category = "dual-use"
        severity = "critical"
        reference = "Cobalt Strike documentation; public analyses of beacon payloads"
    strings:
        $pipe1 = "MSSE-%d-server" ascii wide
        $pipe2 = "\\\\.\\pipe\\msagent_%x" ascii wide nocase
        $pipe3 = "%c%c%c%c%c%c%c%c%cMSSE-%d-server" ascii
        $fmt1 = "%s as %s\\%s: %d" ascii
        $fmt2 = "beacon.dll" ascii wide nocase
        $fmt3 = "beacon.x64.dll" ascii wide nocase
        $rl = "ReflectiveLoader" ascii
    condition:
        2 of ($pipe*, $fmt*) or ($rl and 1 of ($pipe*, $fmt*))
}

rule DualUse_Netcat_Ncat
{
    meta:
        description = "netcat or Nmap's ncat: raw TCP/UDP connections and listeners, often a reverse shell"
        family = "netcat"
        category = "dual-use"
        severity = "medium"
        reference = "Nmap project, Ncat; netcat 1.10 (tool descriptions)"
    strings:
        $ncat1 = "Ncat: Version" ascii
        $ncat2 = "https://nmap.org/ncat" ascii
        $nc1 = "nc -h for help" ascii
        $nc2 = "[v1.10" ascii
        $nc3 = "connect to somewhere:" ascii
        $nc4 = "listen for inbound:" ascii
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F) and (all of ($ncat*) or 2 of ($nc*))
}

rule DualUse_Nmap
{
    meta:
        description = "Nmap network scanner executable"
        family = "nmap"
        category = "dual-use"
        severity = "medium"
        reference = "Nmap project (tool description)"
    strings:
        $a1 = "Nmap scan report for" ascii
        $a2 = "nmap-service-probes" ascii
        $a3 = "nmap-os-db" ascii
        $a4 = "https://nmap.org" ascii
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F) and 3 of them
}

rule DualUse_PLC_Scanner
{
    meta:
        description = "PLC discovery scanners such as plcscan and s7scan: probe S7comm (SZL reads) and Modbus unit identities across address ranges"
        family = "plcscan"
        category = "dual-use"
        severity = "medium"
        reference = "plcscan and s7scan projects (tool descriptions)"
    strings:
        $name1 = "plcscan" ascii wide nocase
        $name2 = "s7scan" ascii wide nocase
        $proto1 = "szl" ascii wide nocase fullword
        $proto2 = "modbus" ascii wide nocase
        $proto3 = "s7comm" ascii wide nocase
        $proto4 = "Module type" ascii wide
        $proto5 = "Device identification" ascii wide nocase
    condition:
        1 of ($name*) and 2 of ($proto*)
}

rule DualUse_RemoteSupport_Installer
{
    meta:
        description = "Remote-support software (TeamViewer, AnyDesk) by the publisher names in its version information: unapproved remote access being carried in"
        family = "remote-support"
        category = "dual-use"
        severity = "high"
        reference = "MA-2023-009: unapproved remote access into crane networks"
    strings:
        $tv1 = "TeamViewer Germany GmbH" wide
        $tv2 = "TeamViewer GmbH" wide
        $ad1 = "AnyDesk Software GmbH" wide
        $ad2 = "philandro Software GmbH" wide
        $product = "ProductName" wide
    condition:
        uint16(0) == 0x5A4D and $product and 1 of ($tv*, $ad*)
}
